/**
 * The one warning line `serve` prints when a mode meant for one developer's machine is
 * reachable from other machines: `--dev` (error details, stacks and code frames in
 * responses, `/-/registry`), `--admin` or an admin token (the control plane) on a host
 * other than loopback.
 */
import { isIP } from 'node:net';

/** True for `localhost`, `127.0.0.0/8` and `::1` (written with or without brackets). */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

/** The warning line for these settings, or undefined when there is nothing to warn about. */
export function exposureWarning(settings: {
  host: string;
  dev: boolean;
  admin: boolean;
  adminToken?: string | undefined;
}): string | undefined {
  if (isLoopbackHost(settings.host)) return undefined;
  const modes = [
    settings.dev && '--dev',
    settings.admin && '--admin',
    settings.adminToken !== undefined && 'an admin token',
  ].filter(Boolean);
  if (modes.length === 0) return undefined;
  const what = settings.dev
    ? 'error details, stacks and /-/registry'
    : 'the /-/ control plane (behind its token, if any)';
  return `hotpub: warning: ${modes.join(' and ')} on host ${settings.host} shows ${what} to every machine that can reach it; use a loopback host (127.0.0.1) for these`;
}

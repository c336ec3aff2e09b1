// Small statistics helpers shared by the bench parts.

/** Median of a list of numbers (NaN for an empty list). */
export function median(xs) {
  return quantile(xs, 0.5);
}

/** Quantile q in [0, 1] with linear interpolation between closest ranks. */
export function quantile(xs, q) {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return Number.NaN;
  const pos = (v.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return v[lo] + (v[hi] - v[lo]) * (pos - lo);
}

/** Median, min and max of a list of run results. */
export function summary(xs) {
  const v = xs.filter((x) => Number.isFinite(x));
  return {
    median: median(v),
    min: v.length ? Math.min(...v) : Number.NaN,
    max: v.length ? Math.max(...v) : Number.NaN,
    runs: v.length,
  };
}

/** Formats a number compactly: 54321 -> "54.3k", 12.345 -> "12.3". */
export function fmt(x, digits = 1) {
  if (x === undefined || x === null || Number.isNaN(x)) return 'n/a';
  const a = Math.abs(x);
  if (a >= 1e6) return (x / 1e6).toFixed(digits) + 'M';
  if (a >= 1e4) return (x / 1e3).toFixed(digits) + 'k';
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(digits);
  return x.toFixed(Math.max(digits, 2));
}

/** "median (min-max)" for a summary. */
export function fmtRange(s, digits = 1) {
  if (!s?.runs) return 'n/a';
  return `${fmt(s.median, digits)} (${fmt(s.min, digits)}-${fmt(s.max, digits)})`;
}

/** Formats a ratio as "0.62x". */
export function fmtRatio(r) {
  if (!Number.isFinite(r)) return 'n/a';
  if (r < 0.1) return r.toFixed(3) + 'x';
  return r.toFixed(2) + 'x';
}

/** Formats bytes as MiB with one decimal. */
export function mib(bytes) {
  return (bytes / 1048576).toFixed(1);
}

/** The `html` tagged template: escaping, nesting, arrays, and what it refuses. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HtmlString, html, isHtml, raw } from '../../src/app-api.js';

describe('html``', () => {
  it('escapes interpolated strings, in text and in attributes', () => {
    const v = `<script>"'&`;
    assert.equal(
      html`<a title="${v}">${v}</a>`.value,
      '<a title="&lt;script&gt;&quot;&#39;&amp;">&lt;script&gt;&quot;&#39;&amp;</a>',
    );
  });

  it('keeps nested html values and raw(), escapes everything else', () => {
    const inner = html`<b>${'<i>'}</b>`;
    assert.equal(html`<p>${inner}${raw('<hr>')}</p>`.value, '<p><b>&lt;i&gt;</b><hr></p>');
    assert.equal(html`${{ toString: () => '<x>' }}`.value, '&lt;x&gt;');
  });

  it('joins arrays (nested too) and renders null, undefined and booleans as nothing', () => {
    const items = ['a<', ['b', html`<i>c</i>`]];
    assert.equal(html`<ul>${items}</ul>`.value, '<ul>a&lt;b<i>c</i></ul>');
    assert.equal(html`[${null}${undefined}${true}${false}${0}${1.5}]`.value, '[01.5]');
  });

  it('refuses a promise instead of printing [object Promise]', () => {
    assert.throws(() => html`${Promise.resolve('x')}`, /await a promise/);
  });

  it('is recognised across copies by its brand, and reads as its text', () => {
    const h = html`<p>x</p>`;
    assert.ok(h instanceof HtmlString);
    assert.ok(isHtml(h));
    assert.ok(!isHtml('<p>x</p>'));
    assert.ok(!isHtml({ value: '<p>' }));
    assert.ok(isHtml({ [Symbol.for('hotpub.html')]: true, value: '<p>' }));
    assert.equal(String(h), '<p>x</p>');
    assert.equal(JSON.stringify({ h }), '{"h":"<p>x</p>"}');
  });
});

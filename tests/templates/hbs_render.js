// Renders cases with handlebars.js (the reference for core syntax): JSON [{template, context, html}] on stdin,
// JSON [{output} | {error}] on stdout. Each case gets a fresh Handlebars environment (no helpers registered).
'use strict';
const path = require('path');
const Handlebars = require(path.join(__dirname, '..', '..', 'engage', 'frontend', 'node_modules', 'handlebars'));

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const results = JSON.parse(input).map((c) => {
    try {
      const template = Handlebars.create().compile(c.template, { noEscape: !c.html });
      return { output: template(c.context) };
    } catch (e) {
      return { error: String(e && e.message) };
    }
  });
  process.stdout.write(JSON.stringify(results));
});

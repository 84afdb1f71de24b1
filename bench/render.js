// Times N renders of one template with handlebars.js (the comparison for bench/render.py).
// stdin: JSON {template, context, n, rounds}; stdout: JSON {per_s, wall_per_s, rounds_per_s} — per_s counts renders
// per second of CPU time used by the process (so a busy machine does not distort it), wall_per_s per elapsed second.
// The two helpers the template uses are registered with the meaning Pinpoint gave them.
'use strict';
const path = require('path');
const Handlebars = require(path.join(__dirname, '..', 'engage', 'frontend', 'node_modules', 'handlebars'));

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const { template, context, n, rounds } = JSON.parse(input);
  const hbs = Handlebars.create();
  hbs.registerHelper('upper', (value) => String(value == null ? '' : value).toUpperCase());
  hbs.registerHelper('eq', function (a, b, options) {
    const equal = String(a) === String(b);
    if (options.fn) { return equal ? options.fn(this) : options.inverse(this); }
    return equal ? (options.hash.yes ?? true) : (options.hash.no ?? false);
  });
  const render = hbs.compile(template);
  let sink = 0;
  for (let i = 0; i < Math.min(n, 20000); i++) { sink += render(context).length; }
  const perRound = [];
  const wallPerRound = [];
  for (let r = 0; r < rounds; r++) {
    const started = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    for (let i = 0; i < n; i++) { sink += render(context).length; }
    const used = process.cpuUsage(cpu);
    wallPerRound.push(n / (Number(process.hrtime.bigint() - started) / 1e9));
    perRound.push(n / ((used.user + used.system) / 1e6));
  }
  process.stdout.write(JSON.stringify({
    per_s: Math.max(...perRound), wall_per_s: Math.max(...wallPerRound), rounds_per_s: perRound, sink,
  }));
});

// Dredd hooks for bench/compare.sh: every transaction sends the request
// chconform's client sends for that documented response (the state recipe of
// the emulator profile applied: no credentials, a waitlisted account, a taken
// username...), read from $DREDD_REQUESTS (written by `chmutate peer`).
// Paths are /m/<mutant>/<contract path>; the key drops the prefix.
const hooks = require('hooks');
const fs = require('fs');

const requests = JSON.parse(fs.readFileSync(process.env.DREDD_REQUESTS, 'utf8'));
const byKey = {};
for (const r of requests) byKey[`${r.method} ${r.path} ${r.status}`] = r;

hooks.beforeEach((t, done) => {
  const m = t.request.uri.match(/^\/m\/([^/]+)(\/[^?]*)/);
  const key = m && `${t.request.method} ${m[2]} ${t.expected.statusCode}`;
  const r = key && byKey[key];
  // Dredd skips non-2xx transactions by default; the recipe makes them reachable.
  t.skip = false;
  if (!r) {
    t.skip = true;
    return done();
  }
  const uri = `/m/${m[1]}${r.path}${r.query ? `?${r.query}` : ''}`;
  t.fullPath = t.fullPath.slice(0, t.fullPath.length - t.request.uri.length) + uri;
  t.request.uri = uri;
  t.request.headers = Object.assign({}, r.headers);
  t.request.body = r.body || '';
  done();
});

// Dredd hooks for the fair comparison (`chconform mutate peer -tool dredd
// -requests recorded`): $DREDD_SEQUENCE holds the requests chconform's suites
// sent on a mutant of one operation, in order, and which of them ("r<n>")
// Dredd has a transaction for (the operation's own, with a documented
// status). Paths are /m/<mutant>/r<n>/<contract path>. Each transaction is
// given request n as recorded; every request before it that is no
// transaction (setup calls to other operations, answers the contract does
// not document) is sent by this hook first, in order, to the same mutant.
const hooks = require('hooks');
const fs = require('fs');
const http = require('http');

const seq = JSON.parse(fs.readFileSync(process.env.DREDD_SEQUENCE, 'utf8'));
const judged = new Set(seq.judged);
const sent = {}; // mutant key → index of the last request sent

function send(t, key, i) {
  const r = seq.requests[i];
  const name = `r${String(i).padStart(4, '0')}`;
  return new Promise((resolve) => {
    const req = http.request({
      host: t.host, port: t.port, method: r.method,
      path: `/m/${key}/${name}${r.path}${r.query ? `?${r.query}` : ''}`,
      headers: r.headers || {},
    }, (res) => { res.resume(); res.on('end', resolve); });
    req.on('error', resolve); // a setup call that fails is the target's business
    req.end(r.body || '');
  });
}

hooks.beforeEach((t, done) => {
  const m = t.request.uri.match(/^\/m\/([^/]+)\/(r(\d+))(\/[^?]*)/);
  if (!m) { t.skip = true; return done(); }
  const [, key, name, num] = m;
  const i = Number(num);
  const r = seq.requests[i];
  const wanted = judged.has(name) && String(t.expected.statusCode) === String(r.status);
  (async () => {
    for (let j = (sent[key] ?? -1) + 1; j < i; j++) {
      await send(t, key, j);
      sent[key] = j;
    }
    t.skip = !wanted;
    if (wanted) {
      sent[key] = i;
      const uri = `/m/${key}/${name}${r.path}${r.query ? `?${r.query}` : ''}`;
      t.fullPath = t.fullPath.slice(0, t.fullPath.length - t.request.uri.length) + uri;
      t.request.uri = uri;
      t.request.method = r.method;
      t.request.headers = Object.assign({}, r.headers);
      t.request.body = r.body || '';
    }
  })().then(() => done(), (e) => { console.error(e); done(); });
});

// Writes examples/data/reviews-stars.csv: 2,500 generated product/restaurant reviews rated 1–5 stars (500 per
// class), columns `stars,body`, for the 5-class examples and tests. Generated, not collected: each review has
// 2–4 clauses about aspects (food, service, battery, plot, ...) whose wording follows the rating: strong
// praise (5), praise (4), mixed or lukewarm (3), complaints (2), strong complaints (1), with negation ("not bad",
// "not great"), contrast ("but"), neutral filler, and a quarter of the clauses drifting one step up or down,
// so word identity alone is not enough and neighbouring ratings overlap.
// Seeded (xorshift32), so the file is reproducible: node scripts/make-stars-data.mjs > examples/data/reviews-stars.csv
let s = 20261204 >>> 0;
const rnd = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; };
const pick = (a) => a[Math.floor(rnd() * a.length)];

const aspects = ['food', 'service', 'staff', 'price', 'room', 'battery', 'screen', 'plot', 'acting', 'delivery', 'sound', 'design', 'location', 'coffee', 'support'];
const words = {
  strongPos: ['amazing', 'outstanding', 'perfect', 'superb', 'wonderful', 'brilliant', 'fantastic', 'excellent'],
  pos: ['good', 'nice', 'solid', 'pleasant', 'decent', 'fine', 'reliable', 'friendly'],
  mid: ['okay', 'average', 'mediocre', 'so-so', 'ordinary', 'acceptable', 'passable', 'plain'],
  neg: ['poor', 'disappointing', 'slow', 'weak', 'bland', 'sloppy', 'annoying', 'flimsy'],
  strongNeg: ['terrible', 'awful', 'horrible', 'dreadful', 'disgusting', 'useless', 'atrocious', 'appalling'],
};
const intens = { strongPos: ['truly', 'absolutely', 'really'], pos: ['quite', 'pretty', 'fairly'], mid: ['just', 'rather', 'kind of'], neg: ['rather', 'quite', 'a bit'], strongNeg: ['truly', 'absolutely', 'utterly'] };
const filler = ['we went there on a tuesday', 'i bought it last month', 'my sister recommended it', 'we watched it on sunday', 'it arrived in a box', 'i used it for a week', 'the place was busy'];
const openers = { 5: ['loved it', 'highly recommended', 'five stars from me', 'best in town'], 4: ['happy overall', 'would come back', 'worth it'], 3: ['it was alright', 'nothing special', 'mixed feelings'], 2: ['not impressed', 'expected more', 'a letdown'], 1: ['never again', 'avoid it', 'waste of money', 'worst ever'] };

// Clause polarity per rating: mostly the rating's own level, sometimes a neighbour, sometimes negated.
const ladder = ['strongNeg', 'neg', 'mid', 'pos', 'strongPos'];
const clause = (wanted) => {
  const a = pick(aspects);
  // a quarter of the clauses drift one step up or down the ladder: neighbouring ratings overlap
  const at = ladder.indexOf(wanted), drift = rnd() < 0.25 ? (rnd() < 0.5 ? -1 : 1) : 0;
  const level = ladder[Math.min(4, Math.max(0, at + drift))];
  const r = rnd();
  if (level === 'pos' && r < 0.2) return `the ${a} was not ${pick(words.neg)}`;
  if (level === 'mid' && r < 0.25) return `the ${a} was not ${pick(words.strongPos)}`;
  if (level === 'neg' && r < 0.2) return `the ${a} was not ${pick(words.pos)}`;
  if (level === 'strongNeg' && r < 0.15) return `the ${a} was not ${pick(words.mid)} at all`;
  return `the ${a} was ${rnd() < 0.6 ? pick(intens[level]) + ' ' : ''}${pick(words[level])}`;
};
const plan = {
  5: () => ['strongPos', 'strongPos', pick(['strongPos', 'pos'])],
  4: () => ['pos', pick(['pos', 'strongPos']), pick(['pos', 'mid'])],
  3: () => pick([['mid', 'mid'], ['pos', 'neg'], ['mid', 'pos', 'neg'], ['mid', 'neg', 'pos']]),
  2: () => ['neg', pick(['neg', 'mid']), pick(['neg', 'strongNeg'])],
  1: () => ['strongNeg', 'strongNeg', pick(['strongNeg', 'neg'])],
};

const rows = ['stars,body'];
const order = [];
for (let star = 1; star <= 5; star++) for (let i = 0; i < 500; i++) order.push(star);
for (let i = order.length - 1; i > 0; i--) { const j = Math.floor(rnd() * (i + 1)); [order[i], order[j]] = [order[j], order[i]]; }
for (const star of order) {
  const levels = plan[star]().slice(0, 2 + Math.floor(rnd() * 2));
  const parts = levels.map(clause);
  if (rnd() < 0.3) parts.splice(Math.floor(rnd() * (parts.length + 1)), 0, pick(filler));
  let body = parts.map((p, i) => (i > 0 && rnd() < 0.35 ? (star === 3 ? 'but ' : 'and ') + p : p)).join(rnd() < 0.5 ? ', ' : '. ');
  if (rnd() < 0.5) body = `${pick(openers[star])}. ${body}`;
  rows.push(`${star},"${body}."`);
}
process.stdout.write(rows.join('\n') + '\n');

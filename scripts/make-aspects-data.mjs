// Writes examples/data/reviews-aspects.csv: 2,000 generated restaurant/hotel reviews tagged with the aspects
// they talk about (multi-label: 0 to 3 of food, service, price, ambience, location, cleanliness), columns
// `aspects,body`, aspects separated by "|" (an empty cell: a review about none of them). Generated, not collected:
// each aspect is named by many different words ("the pasta", "our waiter", "the bill", "the view", ...), the
// opinion words are shared by all aspects, some words belong to two aspects depending on the phrase ("the table
// was sticky" is cleanliness, "a table by the window" ambience), some sentences are filler, and 4 % of the
// reviews lose one tag (annotation noise), so neither one keyword nor the sentence count gives the answer.
// Seeded (xorshift32), so the file is reproducible: node scripts/make-aspects-data.mjs > examples/data/reviews-aspects.csv
let s = 20261221 >>> 0;
const rnd = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; };
const pick = (a) => a[Math.floor(rnd() * a.length)];

const good = ['great', 'lovely', 'excellent', 'fine', 'wonderful', 'decent', 'superb', 'pleasant'];
const bad = ['awful', 'poor', 'disappointing', 'terrible', 'mediocre', 'bad', 'dreadful', 'sad'];
const opinion = () => (rnd() < 0.55 ? pick(good) : pick(bad));
const phrases = {
  food: () => pick([
    `the ${pick(['pasta', 'steak', 'soup', 'dessert', 'fish', 'pizza', 'curry', 'salad', 'bread', 'breakfast'])} was ${opinion()}`,
    `${pick(['our meal', 'the dishes', 'every course', 'the menu'])} was ${opinion()}`,
    `the ${pick(['chef', 'kitchen'])} ${rnd() < 0.5 ? 'knows what it is doing' : 'had a bad night'}`,
    `${pick(['tasty', 'bland', 'overcooked', 'fresh', 'cold'])} ${pick(['noodles', 'fries', 'eggs', 'rice'])}`,
  ]),
  service: () => pick([
    `${pick(['our waiter', 'the waitress', 'our server', 'the staff', 'the receptionist', 'the host'])} was ${opinion()}`,
    `we waited ${pick(['forty minutes', 'ages', 'an hour'])} for ${pick(['the menu', 'someone to help', 'our order'])}`,
    `${pick(['nobody', 'the manager', 'a young man'])} ${pick(['helped us', 'ignored us', 'greeted us at the door'])}`,
    `the service was ${opinion()}`,
  ]),
  price: () => pick([
    `the ${pick(['bill', 'prices', 'check', 'room rate'])} ${rnd() < 0.5 ? 'was steep' : 'was fair'}`,
    `${pick(['good', 'poor', 'great'])} value for money`,
    `${pick(['cheap', 'expensive', 'overpriced', 'affordable'])} for what you get`,
    `we paid ${pick(['forty', 'ninety', 'two hundred'])} dollars`,
  ]),
  ambience: () => pick([
    `the ${pick(['music', 'lighting', 'decor', 'atmosphere', 'view'])} was ${opinion()}`,
    `a table by the window, ${pick(['cosy', 'romantic', 'noisy', 'cramped'])}`,
    `${pick(['candles', 'jazz', 'loud music', 'soft light'])} all evening`,
    `it felt ${pick(['cosy', 'gloomy', 'lively', 'stuffy'])} inside`,
  ]),
  location: () => pick([
    `${pick(['close to', 'far from', 'a short walk from', 'right next to'])} the ${pick(['station', 'beach', 'old town', 'airport', 'museum'])}`,
    `the ${pick(['neighbourhood', 'street', 'area'])} was ${opinion()}`,
    `${pick(['easy', 'hard', 'impossible'])} to find ${pick(['parking', 'the entrance', 'a taxi'])}`,
    `in the ${pick(['centre', 'middle of nowhere', 'heart of the city'])}`,
  ]),
  cleanliness: () => pick([
    `the ${pick(['table', 'floor', 'bathroom', 'sheets', 'glasses', 'carpet'])} was ${pick(['sticky', 'spotless', 'dirty', 'filthy', 'clean', 'stained'])}`,
    `${pick(['hair', 'dust', 'crumbs', 'mould'])} ${pick(['everywhere', 'on the plates', 'in the shower'])}`,
    `${pick(['smelled', 'looked'])} ${pick(['freshly cleaned', 'like it had not been cleaned'])}`,
    `hygiene was ${opinion()}`,
  ]),
};
const aspects = Object.keys(phrases);
const filler = ['we came on a friday', 'my parents chose the place', 'it was our anniversary', 'we stayed two nights', 'booked online', 'a friend told us about it', 'first time there'];
const openers = ['overall', 'honestly', 'to sum up', 'well'];

const rows = ['aspects,body'];
for (let i = 0; i < 2000; i++) {
  // 0 aspects: 6 %, 1: 34 %, 2: 40 %, 3: 20 %
  const r = rnd(), n = r < 0.06 ? 0 : r < 0.4 ? 1 : r < 0.8 ? 2 : 3;
  const tags = [];
  while (tags.length < n) { const a = pick(aspects); if (!tags.includes(a)) tags.push(a); }
  const parts = tags.map((a) => phrases[a]());
  const fillers = n === 0 ? 1 + Math.floor(rnd() * 2) : rnd() < 0.35 ? 1 : 0;
  for (let f = 0; f < fillers; f++) parts.splice(Math.floor(rnd() * (parts.length + 1)), 0, pick(filler));
  let body = parts.join(rnd() < 0.5 ? ', ' : '. ');
  if (rnd() < 0.2) body = `${pick(openers)}, ${body}`;
  // annotation noise: a tag forgotten
  const kept = tags.length && rnd() < 0.04 ? tags.slice(0, -1) : tags;
  rows.push(`${kept.sort().join('|')},"${body}."`);
}
process.stdout.write(rows.join('\n') + '\n');

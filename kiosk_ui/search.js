// Finding a matter from what a citizen types (docs/kiosk.md "Search"): hanzi inside a matter's name,
// its department's name or a synonym of the hall config (营业执照 → 企业设立登记); Latin letters
// against the pinyin the server worked out for each (GET /catalog `search_keys`: full, `shebao`, or
// initials, `sbk`) and against the English name; a matter's code (its id, "-" optional). Best first:
// the code typed whole, then the name, the synonyms, the English name, and last the department.
const NOT_LATIN = /[^a-z0-9]/g;

export function searchMatters(catalog, query) {
  const text = query.trim().toLowerCase();
  if (!text) return [];
  const latin = text.replace(NOT_LATIN, "");
  const departments = new Map(catalog.departments.map((d) => [d.code, d]));
  const found = [];
  catalog.matters.forEach((matter, order) => {
    const score = scoreOf(matter, departments.get(matter.department), text, latin);
    if (score > 0) found.push({ matter, score, order });
  });
  found.sort((a, b) => b.score - a.score || a.order - b.order);
  return found.map((f) => f.matter);
}

// English names match from the start of a word ("pass" → "Passport"), not inside one ("an" is everywhere).
function startsAWord(name, text) {
  return Boolean(name) && ` ${name.toLowerCase().replace(/[^a-z0-9]+/g, " ")}`.includes(` ${text}`);
}

function scoreOf(matter, department, text, latin) {
  const keys = matter.search_keys || { code: matter.id, synonyms: [], initials: [], pinyin: [] };
  let best = 0;
  const hit = (points) => { best = Math.max(best, points); };
  const code = keys.code.toLowerCase().replace(NOT_LATIN, "");
  if (latin && code === latin) hit(100);
  else if (latin.length >= 3 && code.includes(latin)) hit(50);
  if (matter.name.includes(text)) hit(matter.name.startsWith(text) ? 90 : 80);
  for (const word of keys.synonyms) hit(word === text ? 85 : word.includes(text) ? 70 : 0);
  if (startsAWord(matter.name_en, text)) hit(75);
  if (department && (department.name.includes(text) || startsAWord(department.name_en, text))) hit(40);
  if (!latin) return best;
  // The pinyin lists hold the name first, the department's name second, then each synonym.
  const weights = (i) => (i === 0 ? [65, 55] : i === 1 ? [30, 25] : [60, 45]);
  for (const list of [keys.initials, keys.pinyin]) {
    list.forEach((key, i) => {
      const [start, inside] = weights(i);
      if (i >= 2 && key === latin) hit(72);  // a synonym's pinyin typed whole: sbk → 社保卡
      else if (key.startsWith(latin)) hit(start);
      else if (latin.length >= 2 && key.includes(latin)) hit(inside);
    });
  }
  return best;
}

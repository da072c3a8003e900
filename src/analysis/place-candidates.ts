/** Suffixes of place names: compounds, estates, villages, roads, buildings. Longest first. */
const PLACE_SUFFIXES = ['小区', '花园', '花苑', '家园', '新村', '新城', '公寓', '大厦', '广场', '社区', '大道', '苑', '村', '路', '街', '城', '湾', '府', '庭', '园'];
/** Last characters of the suffixes, by code unit (1: some suffix ends so): most tokens end otherwise and need no suffix search. */
const SUFFIX_ENDS = new Uint8Array(65536);
for (const suffix of PLACE_SUFFIXES) SUFFIX_ENDS[suffix.charCodeAt(suffix.length - 1)] = 1;
/**
 * The place suffix a word ends in, longest first, or undefined. A plain loop: a closure over the word here would make
 * every caller's loop allocate a context per word.
 */
function placeSuffixOf(word: string): string | undefined {
  if (word.length === 0 || SUFFIX_ENDS[word.charCodeAt(word.length - 1)] !== 1) return undefined;
  for (let k = 0; k < PLACE_SUFFIXES.length; k++) if (word.endsWith(PLACE_SUFFIXES[k])) return PLACE_SUFFIXES[k];
  return undefined;
}
/** Characters that do not start a place name (function words, pronouns, verbs around places). */
const BAD_START = new Set([...'的了在是我你他她它们这那本该从到住于和与及对向把被给就都也还又很太更最个位家里对日月年号而紧靠近旁']);
/** A token ending like this is a place of its own (or an administrative level): a name does not reach back past it. */
const BOUNDARY = /(区|市|县|镇|乡|省|街道|小区|花园|花苑|家园|新村|公寓|大厦|广场|社区|大道|苑|村|路|街|城|湾|府)$/;
/** Words that end a name when reading back from its suffix (隔壁|阳光水岸小区, 投诉|万科魅力之城). */
const STOP_TOKENS = new Set(['隔壁', '旁边', '附近', '对面', '楼下', '门口', '周边', '投诉', '反映', '位于', '购买', '入住', '居住', '关于', '建议', '请问', '希望', '我们', '本人', '业主', '居民', '整个', '所在', '一个', '这个', '那个', '各个', '多个', '几个']);
const NOT_A_PLACE = /政府|中国|中华|全国|国家|人民|委员会|派出所|管理处|(线路|道路|马路|公路|铁路|思路|出路|网路|门路|套路|之路|电路|水路|小路|城市|县城|农村)$/;
const GENERIC = new Set(['小区', '本小区', '我们小区', '这个小区', '该小区', '我小区', '同小区', '老小区', '新小区', '马路', '道路', '公路', '农村', '乡村', '城市', '县城', '省城', '进城', '社区', '花园', '公园', '校园', '家园', '庄园', '果园', '菜园', '乐园']);

export interface TaggedToken {
  word: string;
  tag: string;
}

/**
 * Whether tagged words of `text` could give a candidate: some word must end in a place suffix (so the
 * text holds its last character) or be tagged ns with 3 or more characters (`mayTagLongPlace`).
 */
export function mayHoldPlace(text: string, mayTagLongPlace: (text: string) => boolean): boolean {
  for (let i = 0; i < text.length; i++) if (SUFFIX_ENDS[text.charCodeAt(i)] === 1) return true;
  return mayTagLongPlace(text);
}

/**
 * mayHoldPlace over the words of `text` (as jieba cuts it, which is also how it tags it): tagged words
 * can give a candidate only if one of them ends in a place suffix, or is ns with 3 or more characters
 * (`mayTagLongPlace`); an ns word of 2 characters is kept only when it ends in a suffix.
 */
export function mayHoldPlaceInWords(text: string, words: readonly string[], mayTagLongPlace: (text: string) => boolean): boolean {
  for (let i = 0; i < words.length; i++) if (placeSuffixOf(words[i]) !== undefined) return true;
  return mayTagLongPlace(text);
}

const HAN_OR_DIGITS = /^[\u4e00-\u9fff0-9]+$/;
const NAME_TAG = /^(n|nr|ns|nt|nz|s|x|eng|m|j|l|a)/;

/**
 * Place-like mentions in tagged tokens that the gazetteer does not know: a word ending in a place
 * suffix (…小区, …花园, …苑, …村, …路), a name followed by such a suffix token (魅力 之城 小区), and
 * jieba's place tags (ns). Returned most specific first, without duplicates or names inside longer ones.
 */
export function placeCandidates(tokens: readonly TaggedToken[], isKnown: (name: string) => boolean): string[] {
  const found: string[] = [];
  scan(
    tokens.map((t) => t.word),
    tokens.map((t) => t.tag),
    found,
    isKnown,
  );
  return mostSpecific(found);
}

/**
 * The same as placeCandidates over the tagged title, a line break and the body's words tagged x, without
 * building the body's tokens: nothing reaches back across the break, and a body word is never ns.
 */
export function titleBodyPlaceCandidates(title: readonly TaggedToken[], bodyWords: readonly string[], isKnown: (name: string) => boolean): string[] {
  const found: string[] = [];
  if (title.length > 0) {
    scan(
      title.map((t) => t.word),
      title.map((t) => t.tag),
      found,
      isKnown,
    );
  }
  scan(bodyWords, null, found, isKnown);
  return mostSpecific(found);
}

function push(found: string[], raw: string, isKnown: (name: string) => boolean): void {
  const name = raw.replace(/^[区市县镇乡省]+(?=[\u4e00-\u9fff]{3})/, '');
  if (name.length < 3 && !PLACE_SUFFIXES.some((s) => s.length === 1 && name.endsWith(s) && name.length >= 2)) return;
  if (name.length < 2 || name.length > 12 || GENERIC.has(name) || BAD_START.has(name[0]) || /^[a-z]\d*[市区县]/i.test(name)) return;
  if (!/^[\u4e00-\u9fff0-9a-z]+$/i.test(name) || NOT_A_PLACE.test(name) || isKnown(name)) return;
  found.push(name);
}

/** Candidates of consecutive words (tags null: every word tagged x), appended to `found` in order. */
function scan(words: readonly string[], tags: readonly string[] | null, found: string[], isKnown: (name: string) => boolean): void {
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    const suffix = placeSuffixOf(word);
    if (suffix) {
      // Gather the name tokens before the suffix (at most three, Chinese nouns/names only).
      let name = word;
      for (let j = i - 1, n = 0; j >= 0 && n < 3; j--, n++) {
        const prev = words[j];
        const prevTag = tags ? tags[j] : 'x';
        if (!HAN_OR_DIGITS.test(prev) || !NAME_TAG.test(prevTag) || STOP_TOKENS.has(prev) || BAD_START.has(prev[0]) || BOUNDARY.test(prev)) break;
        if (prevTag === 'm' && n === 0 && !/^[\u4e00-\u9fff]/.test(prev)) break;
        name = prev + name;
      }
      if (name !== word ? name.length >= 3 : word.length > suffix.length + (suffix.length === 1 ? 1 : 0)) push(found, name, isKnown);
    } else if (tags && tags[i] === 'ns' && word.length >= 2) {
      push(found, word, isKnown);
    }
  }
}

function mostSpecific(found: string[]): string[] {
  if (found.length === 0) return [];
  const unique = [...new Set(found)].sort((a, b) => b.length - a.length);
  return unique.filter((name, i) => !unique.slice(0, i).some((longer) => longer.includes(name)));
}

/** The key two mentions of one place share: without the generic suffix 小区 (万科魅力之城小区 → 万科魅力之城). */
export function placeKey(name: string): string {
  return name.replace(/(小区|社区)$/, '');
}

/** Whether two place candidates name the same place: equal keys, or one key ends the other (魅力之城 / 万科魅力之城). */
export function samePlace(a: string, b: string): boolean {
  const ka = placeKey(a);
  const kb = placeKey(b);
  if (ka.length < 2 || kb.length < 2) return false;
  if (ka === kb) return true;
  const [short, long] = ka.length < kb.length ? [ka, kb] : [kb, ka];
  return short.length >= 3 && long.endsWith(short);
}

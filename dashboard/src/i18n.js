// The page's words, in English and Korean: every label, button, error, notice and unit goes through t().
// The Korean follows docs/guide.ko.md's terms (자격 증명 풀, 스트림, 유니콘, 인증되지 않은 역할, 리전, 엔드포인트).
// Messages are plain text with {name} placeholders (never HTML); a message may be {one, other} for a `count`
// (English plurals; Korean has none). Numbers in placeholders are formatted with Intl for the page's locale.

export const LANGUAGES = ["en", "ko"];
export const DEFAULT_LANGUAGE = "en";
// Each language's name in itself, for the switch.
export const ENDONYMS = { en: "English", ko: "한국어" };
export const LOCALES = { en: "en-US", ko: "ko-KR" };

const SETUP_AGAIN_EN = "run `ansible-playbook setup.yml` again";
const SETUP_AGAIN_KO = "`ansible-playbook setup.yml`을 다시 실행하십시오";

export const CATALOGUES = {
  en: {
    "page.title": "Wild Rydes · Unicorn Dashboard",
    "lang.switch": "Language",
    // side panel
    "side.subtitle": "Unicorns on {stream}: {count}",
    "side.theStream": "the stream",
    "side.fit": "Fit herd",
    "side.fitTitle": "Follow the herd again",
    "side.listLabel": "Unicorns",
    "side.mapLabel": "Map of the unicorns",
    "list.name": "Name",
    "list.speed": "Speed",
    "list.health": "Health",
    "list.magic": "Magic",
    "list.time": "Last status (UTC)",
    // start screen
    "start.title": "Wild Rydes Unicorn Dashboard",
    "start.intro": "Watch the unicorns ride, live from the Kinesis stream, as a guest of your Cognito identity pool.",
    "start.poolLabel": "Cognito identity pool id",
    "start.advanced": "Advanced",
    "start.roleLabel": "Unauthenticated role ARN",
    "start.regionLabel": "Region",
    "start.regionPlaceholder": "from the pool id, e.g. us-east-1",
    "start.endpointLabel": "Endpoint (local lab only)",
    "start.endpointPlaceholder": "AWS; or http://127.0.0.1:4566",
    "start.streamLabel": "Stream",
    "start.button": "Start",
    "start.whichAttendee": "Several attendees are set up here. Whose dashboard?",
    "start.fromConfig": "Filled in from this attendee's setup.",
    "start.fromTyped": "As you last entered it.",
    "start.signingIn": "Signing in as a guest…",
    "start.waitingForIam":
      "Signing in as a guest… the guest role is not in effect yet (IAM takes seconds after setup); trying again",
    "start.waitingSeconds": "({seconds} s so far)",
    "start.openingStream": "Opening stream {stream}…",
    "start.needPool": "enter the identity pool id (setup prints it: `ansible-playbook setup.yml`)",
    "start.needRegion": "enter the region (under Advanced)",
    "start.needRole": "enter the unauthenticated role ARN (under Advanced)",
    "start.failed": "the dashboard failed to start: {message}",
    // config.json problems (the server's own sentence, told in the page's language)
    "config.noAttendee": "no attendee is set up: run `ansible-playbook setup.yml`",
    "config.unknownAttendee": "attendee {attendee} is not set up here: run `ansible-playbook setup.yml`",
    "config.unreadable": "this attendee's dashboard config is unreadable: {problem}",
    // errors (errors.js)
    "error.setupAgain": SETUP_AGAIN_EN,
    "error.noRegion": "no region",
    "error.aws": "AWS ({region})",
    "error.isLocalRunning": "is the local endpoint running? (`simulate local start --iam-enforcement`)",
    "error.checkNetwork": "check your network connection",
    "error.unreachable": "endpoint unreachable: cannot reach {where}; {fix}",
    "error.poolNotFound": "pool not found: {setup}",
    "error.badIds": "the identity pool id or role ARN is not valid: check the values (or {setup})",
    "error.roleRefused": "the guest role refused this identity pool (check the unauth role ARN)",
    "error.noGuests": "this identity pool does not allow guest (unauthenticated) access",
    "error.accessDenied": "access denied: {what}; {setup}",
    "error.signInFailed": "sign-in failed at {step} ({code}); {setup}",
    "error.streamNotFound": "stream {stream} not found: {setup}",
    "error.streamDenied": "access denied: the guest role may not read stream {stream}; {setup}",
    "error.streamFailed": "reading stream {stream} failed ({code})",
    "error.unsigned": "this call must not be signed",
    // notices
    "notice.cap": "showing the {max} most recent unicorns; older ones were dropped",
    "notice.skipped": "skipped records: {count} (not unicorn status)",
    "notice.offlineMap": "offline map",
    "notice.tilesRefused":
      "tiles refused: {url} (a tile URL must be https://, or http:// on 127.0.0.1 or localhost); offline map",
    // status line
    "status.shards": { one: "{count} shard", other: "{count} shards" },
    "status.records": { one: "{count} record", other: "{count} records" },
    "status.behind": "{seconds} s behind",
    "status.throttled": "throttled {count}×",
    // unicorn vitals (popup and list)
    "vital.speed": "Speed",
    "vital.health": "Health",
    "vital.magic": "Magic",
    "vital.time": "Last status",
    "vital.speedValue": "{speed} mph",
    "vital.speedShort": "{speed} mph",
    "vital.timeValue": "{time} UTC",
    "vital.clockWentBack": "clock went back",
    "vital.skew": "clock skew {sign}{amount}",
    "vital.nameCut": "name cut for display: {count} characters",
    "unit.s": "{n} s",
    "unit.min": "{n} min",
    "unit.h": "{n} h",
    "unit.d": "{n} d",
    // map controls
    "map.zoomIn": "Zoom in",
    "map.zoomOut": "Zoom out",
    "map.closePopup": "Close popup",
    // replay (replay.js): the option names from= and speed= are the URL's, kept as they are
    "replay.fromLabel": "Replay the last (e.g. 15m, 90s, 2h; empty: live only)",
    "replay.speedLabel": "Replay speed",
    "replay.badFrom": "from={value}: not a replay span; write it as 90s, 15m or 2h",
    "replay.fromTooFar": "from={value}: a stream keeps records {hours} hours at most",
    "replay.beyondRetention": "from={value}: stream {stream} keeps records only {hours} h; replay less",
    "replay.badSpeed": "speed={value}: the replay speed is 1, 10 or 60",
    "replay.replaying": "replaying {time} UTC ×{speed}",
    "replay.live": "live (the replay caught up)",
  },
  ko: {
    "page.title": "Wild Rydes · 유니콘 대시보드",
    "lang.switch": "언어",
    "side.subtitle": "{stream} 스트림의 유니콘: {count}",
    "side.theStream": "이",
    "side.fit": "무리 전체 보기",
    "side.fitTitle": "다시 무리를 따라갑니다",
    "side.listLabel": "유니콘",
    "side.mapLabel": "유니콘 지도",
    "list.name": "이름",
    "list.speed": "속도(마일/시)",
    "list.health": "체력",
    "list.magic": "마법",
    "list.time": "마지막 상태 (UTC)",
    "start.title": "Wild Rydes 유니콘 대시보드",
    "start.intro": "Cognito 자격 증명 풀의 게스트로 Kinesis 스트림에서 유니콘이 달리는 모습을 실시간으로 봅니다.",
    "start.poolLabel": "Cognito 자격 증명 풀 ID",
    "start.advanced": "고급",
    "start.roleLabel": "인증되지 않은 역할 ARN",
    "start.regionLabel": "리전",
    "start.regionPlaceholder": "풀 ID에서 가져옴 (예: us-east-1)",
    "start.endpointLabel": "엔드포인트 (로컬 실습 전용)",
    "start.endpointPlaceholder": "AWS, 또는 http://127.0.0.1:4566",
    "start.streamLabel": "스트림",
    "start.button": "시작",
    "start.whichAttendee": "이곳에 참가자가 여럿 설정되어 있습니다. 누구의 대시보드입니까?",
    "start.fromConfig": "이 참가자의 setup 결과로 채웠습니다.",
    "start.fromTyped": "마지막으로 입력한 값입니다.",
    "start.signingIn": "게스트로 로그인하는 중…",
    "start.waitingForIam":
      "게스트로 로그인하는 중… 게스트 역할이 아직 적용되지 않았습니다(setup 후 IAM에 몇 초가 걸립니다). 다시 시도합니다",
    "start.waitingSeconds": "(지금까지 {seconds}초)",
    "start.openingStream": "{stream} 스트림을 여는 중…",
    "start.needPool": "자격 증명 풀 ID를 입력하십시오(setup이 출력합니다: `ansible-playbook setup.yml`)",
    "start.needRegion": "리전을 입력하십시오(고급 아래)",
    "start.needRole": "인증되지 않은 역할 ARN을 입력하십시오(고급 아래)",
    "start.failed": "대시보드를 시작하지 못했습니다: {message}",
    "config.noAttendee": "설정된 참가자가 없습니다. `ansible-playbook setup.yml`을 실행하십시오",
    "config.unknownAttendee": "{attendee} 참가자는 이곳에 설정되어 있지 않습니다. `ansible-playbook setup.yml`을 실행하십시오",
    "config.unreadable": "이 참가자의 대시보드 설정을 읽을 수 없습니다: {problem}",
    "error.setupAgain": SETUP_AGAIN_KO,
    "error.noRegion": "리전 없음",
    "error.aws": "AWS({region})",
    "error.isLocalRunning": "로컬 엔드포인트가 실행 중입니까? (`simulate local start --iam-enforcement`)",
    "error.checkNetwork": "네트워크 연결을 확인하십시오",
    "error.unreachable": "엔드포인트에 연결할 수 없음: {where}에 연결할 수 없습니다. {fix}",
    "error.poolNotFound": "자격 증명 풀을 찾을 수 없음: {setup}",
    "error.badIds": "자격 증명 풀 ID 또는 역할 ARN이 올바르지 않습니다. 값을 확인하십시오(또는 {setup})",
    "error.roleRefused": "게스트 역할이 이 자격 증명 풀을 거부했습니다(인증되지 않은 역할 ARN을 확인하십시오)",
    "error.noGuests": "이 자격 증명 풀은 게스트(인증되지 않은) 액세스를 허용하지 않습니다",
    "error.accessDenied": "액세스 거부: {what}. {setup}",
    "error.signInFailed": "{step} 단계에서 로그인 실패({code}). {setup}",
    "error.streamNotFound": "{stream} 스트림을 찾을 수 없음: {setup}",
    "error.streamDenied": "액세스 거부: 게스트 역할이 {stream} 스트림을 읽을 수 없습니다. {setup}",
    "error.streamFailed": "{stream} 스트림 읽기 실패({code})",
    "error.unsigned": "이 호출은 서명하면 안 됩니다",
    "notice.cap": "가장 최근 유니콘 {max}마리만 표시합니다. 오래된 유니콘은 뺐습니다",
    "notice.skipped": "건너뛴 레코드: {count}개(유니콘 상태가 아님)",
    "notice.offlineMap": "오프라인 지도",
    "notice.tilesRefused":
      "타일 거부: {url} (타일 URL은 https:// 이거나 127.0.0.1, localhost의 http:// 여야 합니다). 오프라인 지도",
    "status.shards": "샤드 {count}개",
    "status.records": "레코드 {count}개",
    "status.behind": "{seconds}초 뒤처짐",
    "status.throttled": "제한됨 {count}회",
    "vital.speed": "속도",
    "vital.health": "체력",
    "vital.magic": "마법",
    "vital.time": "마지막 상태 시각",
    "vital.speedValue": "시속 {speed}마일",
    "vital.speedShort": "{speed}",
    "vital.timeValue": "{time} UTC",
    "vital.clockWentBack": "시계가 거꾸로 감",
    "vital.skew": "시계 차이 {sign}{amount}",
    "vital.nameCut": "표시용으로 자른 이름: {count}자",
    "unit.s": "{n}초",
    "unit.min": "{n}분",
    "unit.h": "{n}시간",
    "unit.d": "{n}일",
    "map.zoomIn": "확대",
    "map.zoomOut": "축소",
    "map.closePopup": "팝업 닫기",
    "replay.fromLabel": "최근 구간 재생 (예: 15m, 90s, 2h, 비우면 실시간만)",
    "replay.speedLabel": "재생 속도",
    "replay.badFrom": "from={value}: 재생 구간이 아닙니다. 90s, 15m, 2h처럼 쓰십시오",
    "replay.fromTooFar": "from={value}: 스트림은 레코드를 최대 {hours}시간 보관합니다",
    "replay.beyondRetention": "from={value}: {stream} 스트림은 레코드를 {hours}시간만 보관합니다. 더 짧게 재생하십시오",
    "replay.badSpeed": "speed={value}: 재생 속도는 1, 10, 60 중 하나입니다",
    "replay.replaying": "재생 중 {time} UTC ×{speed}",
    "replay.live": "실시간 (재생을 따라잡음)",
  },
};

let current = DEFAULT_LANGUAGE;
let numberFormat = new Intl.NumberFormat(LOCALES[current]);
let pluralRules = new Intl.PluralRules(LOCALES[current]);

/** The page's language: `?lang=` when it names one we have, else the browser's first one we have, else English. */
export function chooseLanguage(forced, browserLanguages = []) {
  const wanted = [forced, ...(browserLanguages || [])];
  for (const tag of wanted) {
    if (typeof tag !== "string") continue;
    const base = tag.trim().toLowerCase().split(/[-_]/)[0];
    if (LANGUAGES.includes(base)) return base;
  }
  return DEFAULT_LANGUAGE;
}

export function setLanguage(language) {
  current = LANGUAGES.includes(language) ? language : DEFAULT_LANGUAGE;
  numberFormat = new Intl.NumberFormat(LOCALES[current]);
  pluralRules = new Intl.PluralRules(LOCALES[current]);
  return current;
}

export function language() {
  return current;
}

export function locale() {
  return LOCALES[current];
}

// Making an Intl.NumberFormat costs far more than using one: the list formats every unicorn's vitals per record.
const formats = new Map();

/** A number as the page's locale writes it (1,234 / 1,234; options as Intl.NumberFormat's). */
export function formatNumber(value, options) {
  if (!options) return numberFormat.format(value);
  const key = `${current} ${JSON.stringify(options)}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(LOCALES[current], options);
    formats.set(key, format);
  }
  return format.format(value);
}

/** The placeholders a message (or each form of a plural message) uses, sorted. */
export function placeholders(message) {
  const forms = typeof message === "string" ? [message] : Object.values(message);
  const names = new Set();
  for (const form of forms) for (const match of form.matchAll(/\{(\w+)\}/g)) names.add(match[1]);
  return [...names].sort();
}

function pick(message, params) {
  if (typeof message === "string") return message;
  const count = Number(params?.count);
  return message[pluralRules.select(Number.isFinite(count) ? count : 0)] ?? message.other;
}

function shown(value) {
  return typeof value === "number" && Number.isFinite(value) ? numberFormat.format(value) : String(value);
}

/** The message `key` in the page's language (English if the key is missing there), placeholders filled in. */
export function t(key, params = {}) {
  const message = CATALOGUES[current][key] ?? CATALOGUES.en[key];
  if (message === undefined) return key;
  return pick(message, params).replace(/\{(\w+)\}/g, (whole, name) => (name in params ? shown(params[name]) : whole));
}

/**
 * The message `key` as DOM nodes: placeholders given as Nodes are put in as they are (so an element the page
 * updates, like the unicorn count, keeps its place whatever the language's word order), the rest as text.
 */
export function tNodes(key, nodes = {}) {
  const message = pick(CATALOGUES[current][key] ?? CATALOGUES.en[key] ?? key, nodes);
  const parts = [];
  let last = 0;
  for (const match of message.matchAll(/\{(\w+)\}/g)) {
    if (match.index > last) parts.push(message.slice(last, match.index));
    const value = nodes[match[1]];
    parts.push(value === undefined ? match[0] : typeof value === "object" ? value : shown(value));
    last = match.index + match[0].length;
  }
  if (last < message.length) parts.push(message.slice(last));
  return parts;
}

/**
 * The static text of a document in the page's language: elements marked data-i18n (text), data-i18n-title,
 * data-i18n-placeholder, data-i18n-aria-label get the message of that key.
 */
export function translateDocument(root = document) {
  for (const node of root.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of root.querySelectorAll("[data-i18n-title]")) node.title = t(node.dataset.i18nTitle);
  for (const node of root.querySelectorAll("[data-i18n-placeholder]")) {
    node.placeholder = t(node.dataset.i18nPlaceholder);
  }
  for (const node of root.querySelectorAll("[data-i18n-aria-label]")) {
    node.setAttribute("aria-label", t(node.dataset.i18nAriaLabel));
  }
  if (root.documentElement) {
    root.documentElement.lang = current;
    root.title = t("page.title");
  }
}

// Passphrase strength, for feedback while typing (the wallet itself enforces only the
// minimum length). A small estimate: length, variety, repetition, common choices. No
// dictionary download: a long passphrase of several words is what we encourage.

export const MIN_CHARS = 8;

export interface Strength {
  /** 0 (too short) to 4 (strong). */
  score: 0 | 1 | 2 | 3 | 4;
  /** i18n keys of advice, most useful first. */
  advice: string[];
}

const COMMON = ["password", "passwort", "123456", "qwerty", "letmein", "iloveyou", "admin", "welcome", "civitas", "abc123", "111111"];

export function strength(p: string): Strength {
  const advice: string[] = [];
  const chars = [...p];
  if (chars.length < MIN_CHARS) return { score: 0, advice: ["strength.too_short"] };
  let bits = 0;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9\s]/, /\s/].filter((r) => r.test(p)).length;
  const unique = new Set(chars).size;
  bits = chars.length * Math.log2(Math.max(2, Math.min(unique, 10 + classes * 15)));
  const lower = p.toLowerCase();
  if (COMMON.some((c) => lower.includes(c))) {
    bits -= 30;
    advice.push("strength.common");
  }
  if (/(.)\1{2,}/.test(p)) {
    bits -= 10;
    advice.push("strength.repeated");
  }
  const words = p.trim().split(/[\s\-_.]+/).filter((w) => w.length >= 3).length;
  if (words < 3) advice.push("strength.more_words");
  let score: Strength["score"] = bits < 40 ? 1 : bits < 60 ? 2 : bits < 80 ? 3 : 4;
  if (score < 4 && advice.length === 0) advice.push("strength.longer");
  return { score, advice };
}

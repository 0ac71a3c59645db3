/**
 * Design matrix from table rows — the equivalent of R `model.matrix(~ …)` with treatment
 * contrasts (`contr.treatment`): numeric terms enter linearly (optionally divided by a scale,
 * e.g. FaceAge per 10 years), categorical terms give one 0/1 column per non-reference level named
 * `<term><level>` as R does (`sitelung`, `rxLev+5FU`). Rows with a missing value in any term are
 * reported and carry NaN so that `coxPH` drops them like `na.omit`.
 */
import { fail, isMissing } from './validate.ts';

/**
 * A term: a column name (numeric columns enter linearly, text columns become factors with sorted
 * levels, as R does for character vectors), or an object. Numeric: `{ name, scale: 10, as: 'faceage10' }`
 * (value / scale; `per` and `divideBy` are accepted aliases of `scale`). Factor:
 * `{ name, type: 'factor', reference: 'breast', levels? }` (`'categorical'` accepted, `ref` alias).
 */
export type DesignTerm =
  | string
  | { name: string; type?: 'numeric'; scale?: number; per?: number; divideBy?: number; as?: string }
  | {
      name: string;
      type: 'factor' | 'categorical';
      reference?: string | number;
      ref?: string | number;
      levels?: (string | number)[];
    };

export interface DesignMatrixResult {
  covariates: Record<string, number[]>;
  columns: string[];
  /** term → its coefficient columns (for by-term tests such as coxZph groups) */
  termColumns: Record<string, string[]>;
  /** 0-based rows with a missing value in at least one term */
  missingRows: number[];
  nRows: number;
  /** levels used for each factor term (reference first) */
  levels: Record<string, (string | number)[]>;
}

type Table = ArrayLike<Record<string, unknown>> | Record<string, ArrayLike<unknown>>;

function getter(table: Table): { n: number; get: (i: number, k: string) => unknown; values: (k: string) => unknown[] } {
  if (Array.isArray(table) || (typeof (table as ArrayLike<unknown>).length === 'number' && !(typeof table === 'object' && !Array.isArray(table) && Object.values(table).every((v) => Array.isArray(v))))) {
    const rows = table as ArrayLike<Record<string, unknown>>;
    const get = (i: number, k: string) => rows[i]?.[k];
    return {
      n: rows.length,
      get,
      values: (k) => {
        const out = new Array<unknown>(rows.length);
        for (let i = 0; i < rows.length; i++) out[i] = rows[i]?.[k];
        return out;
      },
    };
  }
  const cols = table as Record<string, ArrayLike<unknown>>;
  const lens = Object.values(cols).map((c) => c.length);
  const n = lens.length ? lens[0] : 0;
  if (lens.some((l) => l !== n)) fail('table columns must have equal lengths');
  return {
    n,
    get: (i, k) => cols[k]?.[i],
    // the column looked up once, not per cell (same values as get)
    values: (k) => {
      const col = cols[k];
      const out = new Array<unknown>(n);
      for (let i = 0; i < n; i++) out[i] = col?.[i];
      return out;
    },
  };
}

const isMissingCell = (v: unknown) => isMissing(v) || v === 'NA' || v === '';

/** Build a covariates record for coxPH from rows (array of objects) or columns (record of arrays). */
export function designMatrix(table: Table, terms: DesignTerm[]): DesignMatrixResult {
  const { n, get, values } = getter(table);
  const covariates: Record<string, number[]> = {};
  const termColumns: Record<string, string[]> = {};
  const levelsOut: Record<string, (string | number)[]> = {};
  const missing = new Uint8Array(n);
  for (const raw of terms) {
    let t: any = typeof raw === 'string' ? { name: raw } : { ...raw };
    if (!t.name) fail('term without a name');
    if (t.type === undefined) {
      // a text column is a factor (R: character → factor with sorted levels)
      let text = false;
      for (let i = 0; i < n && !text; i++) {
        const v = get(i, t.name);
        if (typeof v === 'string' && !isMissingCell(v) && !Number.isFinite(Number(v))) text = true;
      }
      if (text) t = { ...t, type: 'factor' };
    }
    if (t.ref !== undefined && t.reference === undefined) t.reference = t.ref;
    if (t.type === 'factor' || t.type === 'categorical') {
      let levels = t.levels ? [...t.levels] : null;
      const vals = values(t.name);
      // String(value) once per row (compared with the levels below); null for missing cells
      const strs = new Array<string | null>(n);
      for (let i = 0; i < n; i++) {
        const v = vals[i];
        if (isMissingCell(v)) {
          missing[i] = 1;
          strs[i] = null;
        } else strs[i] = String(v);
      }
      if (!levels) {
        const set = new Set<string | number>();
        for (const v of vals) if (!isMissingCell(v)) set.add(v as string | number);
        const arr = [...set];
        levels = arr.every((v) => typeof v === 'number') ? (arr as number[]).sort((a, b) => a - b) : arr.map(String).sort();
      }
      const lvStr = levels.map(String);
      const lvSet = new Set(lvStr);
      for (let i = 0; i < n; i++) if (!missing[i] && !lvSet.has(String(vals[i]))) fail(`term ${t.name}: value ${String(vals[i])} at row ${i} is not among the levels`);
      const ref = t.reference ?? levels[0];
      if (!lvStr.includes(String(ref))) fail(`term ${t.name}: reference level ${String(ref)} not found`);
      const ordered = [levels[lvStr.indexOf(String(ref))], ...levels.filter((l) => String(l) !== String(ref))];
      levelsOut[t.name] = ordered;
      termColumns[t.name] = [];
      for (const lv of ordered.slice(1)) {
        const col = `${t.name}${lv}`;
        const ls = String(lv);
        const out = new Array<number>(n);
        for (let i = 0; i < n; i++) {
          const sv = strs[i];
          out[i] = sv === null ? NaN : sv === ls ? 1 : 0;
        }
        covariates[col] = out;
        termColumns[t.name].push(col);
      }
    } else {
      const nt = t as { name: string; scale?: number; per?: number; divideBy?: number; as?: string };
      const scale = nt.scale ?? nt.per ?? nt.divideBy ?? 1;
      if (!(scale > 0) || !Number.isFinite(scale)) fail(`term ${nt.name}: scale must be a positive number`);
      const col = nt.as ?? nt.name;
      const out = new Array<number>(n);
      covariates[col] = out;
      const vals = values(nt.name);
      for (let i = 0; i < n; i++) {
        const v = vals[i];
        if (isMissingCell(v)) {
          missing[i] = 1;
          out[i] = NaN;
          continue;
        }
        const num = typeof v === 'number' ? v : typeof v === 'boolean' ? Number(v) : Number(v);
        if (!Number.isFinite(num)) fail(`term ${nt.name}: row ${i} value ${String(v)} is not numeric`);
        out[i] = num / scale;
      }
      termColumns[nt.name] = [col];
    }
  }
  const missingRows: number[] = [];
  for (let i = 0; i < n; i++) if (missing[i]) missingRows.push(i);
  // propagate NaN to all columns for rows missing any term (na.omit semantics)
  for (const c of Object.keys(covariates)) for (const i of missingRows) covariates[c][i] = NaN;
  return { covariates, columns: Object.keys(covariates), termColumns, missingRows, nRows: n, levels: levelsOut };
}

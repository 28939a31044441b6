import { readFileSync, statSync } from "node:fs";
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from "yaml";
import { AppConfigError, type AppConfigProblem } from "./errors";
import { looksLikeSecretValue, secretLikeWord } from "./secretNames";
import {
  fullNameProblems,
  MAX_ALLOWED_PATTERN_LENGTH,
  MAX_DESCRIPTION_LENGTH,
  MAX_HIERARCHY_LEVELS,
  maxValueBytes,
  prefixProblems,
  segmentProblems,
} from "./ssmRules";
import type {
  AppConfig,
  AppConfigEntry,
  LoadAppConfigOptions,
  ParameterDataType,
  ParameterTier,
  RequiredSecret,
  SourcePosition,
} from "./types";

/** Largest file accepted; a real one is a few kilobytes. */
export const MAX_FILE_BYTES = 4 * 1024 * 1024;
/** Most parameters one file may declare (SSM's Standard-tier quota per account and region). */
export const MAX_ENTRIES = 10_000;
/** Most alias dereferences in one file: enough for shared defaults, far too few for a YAML bomb. */
export const MAX_ALIAS_EXPANSIONS = 100;

/** Most problems listed for one file; a file with more is broken as a whole. */
export const MAX_PROBLEMS = 200;

/** The top-level key that lists secrets by name; it is never a parameter. */
export const REQUIRED_SECRETS_KEY = "required_secrets";

const LONG_FORM_FIELDS = new Set(["value", "type", "description", "allowedPattern", "tier", "dataType", "notSecret"]);
const TIERS: readonly ParameterTier[] = ["Standard", "Advanced", "Intelligent-Tiering"];
const DATA_TYPES: readonly ParameterDataType[] = ["text", "aws:ec2:image", "aws:ssm:integration"];
const AMI_ID = /^ami-[0-9a-f]{8,17}$/;
const NULL_WORDS = new Set(["~", "null", "Null", "NULL"]);

/**
 * Reads and validates an `app_config_<env>.yaml` file: parameters as a tree whose keys become path
 * segments under the stack's prefix, plus an optional `required_secrets:` list.
 *
 * Throws {@link AppConfigError} listing every problem (file, line, column, key). Plain TypeScript,
 * no Pulumi import, so the component, the CLI and the local pipeline share it.
 *
 * @example
 * ```ts
 * const config = loadAppConfig("stacks/app_config_beta.yaml", { prefix: "/shop/beta/" });
 * for (const entry of config.entries) console.log(entry.name, entry.type, entry.value);
 * ```
 */
export function loadAppConfig(file: string, options: LoadAppConfigOptions = {}): AppConfig {
  let size: number;
  try {
    size = statSync(file).size;
  } catch (error) {
    throw new AppConfigError(file, [
      { file, line: 1, column: 1, key: "", message: `cannot read the file: ${(error as Error).message}` },
    ]);
  }
  if (size > MAX_FILE_BYTES) {
    throw new AppConfigError(file, [
      { file, line: 1, column: 1, key: "", message: `file is ${size} bytes, the limit is ${MAX_FILE_BYTES}` },
    ]);
  }
  return parseAppConfig(readFileSync(file, "utf8"), file, options);
}

/**
 * Validates the text of an `app_config` file; `file` is only used in messages.
 * See {@link loadAppConfig}.
 */
export function parseAppConfig(source: string, file: string, options: LoadAppConfigOptions = {}): AppConfig {
  const reader = new AppConfigReader(source, file, options.prefix ?? "");
  const config = reader.read();
  if (reader.problems.length > 0) throw new AppConfigError(file, reader.problems);
  return config;
}

/** Walks the YAML tree once, collecting entries and every problem. */
class AppConfigReader {
  public readonly problems: AppConfigProblem[] = [];
  private readonly lines = new LineCounter();
  private readonly entries: AppConfigEntry[] = [];
  private readonly seen = new Map<string, SourcePosition>();
  private document: Document.Parsed | undefined;
  private aliasExpansions = 0;
  /** Set once the alias budget is spent: the aliases left unexpanded would each read as an empty value. */
  private aliasBombed = false;
  private readonly prefixLevels: number;
  private tooManyEntries = false;

  public constructor(
    private readonly source: string,
    private readonly file: string,
    private readonly prefix: string,
  ) {
    this.prefixLevels = prefix.split("/").filter(Boolean).length;
  }

  public read(): AppConfig {
    const config: AppConfig = { file: this.file, prefix: this.prefix, entries: this.entries, requiredSecrets: [] };
    if (this.prefix)
      for (const message of prefixProblems(this.prefix)) this.problem({ line: 1, column: 1 }, "", message);
    try {
      // Duplicates are found in the walk (one Set per mapping): yaml's own check is quadratic in the
      // number of keys, and its error would end the reading before every other problem is reported.
      this.document = parseDocument(this.source, { lineCounter: this.lines, schema: "failsafe", uniqueKeys: false });
    } catch (error) {
      this.problem({ line: 1, column: 1 }, "", `cannot be parsed: ${(error as Error).message}`);
      return config;
    }
    for (const error of this.document.errors) {
      const [start] = error.linePos ?? [{ line: 1, col: 1 }];
      const hint = error.code === "RESOURCE_EXHAUSTION" ? " (nested too deeply to be a configuration file)" : "";
      this.problem(
        { line: start.line, column: start.col },
        "",
        `YAML ${error.code}: ${error.message.split("\n")[0]}${hint}`,
      );
    }
    for (const warning of this.document.warnings) {
      // An unresolved tag (`!!js/function`, `!custom`) would silently become the text after it: refuse it instead.
      if (warning.code !== "TAG_RESOLVE_FAILED") continue;
      const [start] = warning.linePos ?? [{ line: 1, col: 1 }];
      this.problem(
        { line: start.line, column: start.col },
        "",
        `YAML ${(warning.message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "")}: ` +
          "tags are not supported, write the value as plain text",
      );
    }
    if (this.document.errors.length > 0) return config;
    const root = this.document.contents;
    if (root === null || (isScalar(root) && root.value === "")) {
      this.problem({ line: 1, column: 1 }, "", "file is empty: it must be a mapping of keys to values");
      return config;
    }
    if (!isMap(root)) {
      this.problem(this.position(root), "", "the top level must be a mapping of keys to values");
      return config;
    }
    let secretsNode: Node | undefined;
    const rootKeys = new Map<string, SourcePosition>();
    for (const pair of root.items) {
      const key = this.uniqueKeyText(pair.key as Node | null, "", rootKeys);
      if (key === REQUIRED_SECRETS_KEY) secretsNode = (pair.value as Node | null) ?? undefined;
      else if (key !== undefined) this.visit(key, key, pair.key as Node, pair.value as Node | null);
    }
    if (secretsNode) config.requiredSecrets = this.readRequiredSecrets(secretsNode);
    return config;
  }

  private problem(at: SourcePosition, key: string, message: string): void {
    // After an alias bomb, what follows is noise ("value is empty" for every alias not expanded):
    // the bomb is the problem.
    if (this.aliasBombed) return;
    if (this.problems.length < MAX_PROBLEMS)
      this.problems.push({ file: this.file, line: at.line, column: at.column, key: clip(key), message: clip(message) });
    else if (this.problems.length === MAX_PROBLEMS) {
      this.problems.push({
        file: this.file,
        line: at.line,
        column: at.column,
        key: "",
        message: `more than ${MAX_PROBLEMS} problems: stopped listing here`,
      });
    }
  }

  private position(node: Node | null | undefined): SourcePosition {
    const offset = node?.range?.[0] ?? 0;
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }

  /** Follows aliases, within a budget that stops alias bombs early. */
  private resolve(node: Node | null): Node | null {
    let current: unknown = node;
    while (isAlias(current)) {
      this.aliasExpansions++;
      if (this.aliasExpansions > MAX_ALIAS_EXPANSIONS) {
        if (this.aliasExpansions === MAX_ALIAS_EXPANSIONS + 1) {
          this.problem(
            this.position(current),
            "",
            `more than ${MAX_ALIAS_EXPANSIONS} alias expansions (a YAML alias bomb?)`,
          );
          this.aliasBombed = true;
        }
        return null;
      }
      if (this.document === undefined) return null;
      current = current.resolve(this.document) ?? null;
    }
    return current as Node | null;
  }

  private keyText(keyNode: Node | null): string | undefined {
    const node = this.resolve(keyNode);
    if (!isScalar(node) || typeof node.value !== "string" || node.value === "") {
      this.problem(this.position(keyNode), "", "keys must be plain, non-empty text");
      return undefined;
    }
    return node.value;
  }

  /** The text of a mapping key, or undefined (reported) when it is not plain text or repeats one of `seen`. */
  private uniqueKeyText(keyNode: Node | null, parent: string, seen: Map<string, SourcePosition>): string | undefined {
    const key = this.keyText(keyNode);
    if (key === undefined) return undefined;
    const at = this.position(keyNode);
    const first = seen.get(key);
    if (first) {
      this.problem(
        at,
        `${parent}${key}`,
        `duplicate key: keys must be unique within a mapping (first at line ${first.line})`,
      );
      return undefined;
    }
    seen.set(key, at);
    return key;
  }

  /** Visits `key` (the full relative key; `ownText` is the part this mapping key added). */
  private visit(key: string, ownText: string, keyNode: Node, valueNode: Node | null): void {
    if (this.tooManyEntries) return;
    const at = this.position(keyNode);
    const badSegments = ownText.split("/").flatMap(segmentProblems);
    if (badSegments.length > 0) {
      for (const message of new Set(badSegments)) this.problem(at, key, message);
      return;
    }
    if (this.prefixLevels + key.split("/").length > MAX_HIERARCHY_LEVELS) {
      this.problem(at, key, `nested deeper than ${MAX_HIERARCHY_LEVELS} levels (prefix included), the most SSM allows`);
      return;
    }
    const value = this.resolve(valueNode);
    if (isMap(value) && !value.items.some((pair) => this.keyTextQuiet(pair.key as Node) === "value")) {
      if (value.items.length === 0) this.problem(at, key, "empty group: give it keys, or remove it");
      const childKeys = new Map<string, SourcePosition>();
      for (const pair of value.items) {
        const childKey = this.uniqueKeyText(pair.key as Node | null, `${key}/`, childKeys);
        if (childKey !== undefined)
          this.visit(`${key}/${childKey}`, childKey, pair.key as Node, pair.value as Node | null);
      }
      return;
    }
    this.addEntry(key, at, value);
  }

  private keyTextQuiet(keyNode: Node | null): string | undefined {
    return isScalar(keyNode) && typeof keyNode.value === "string" ? keyNode.value : undefined;
  }

  /** Reads a short-form value (scalar or list) or a long-form mapping into one entry. */
  private addEntry(key: string, at: SourcePosition, valueNode: Node | null): void {
    const earlier = this.seen.get(key);
    if (earlier) {
      this.problem(
        at,
        key,
        `declared twice: also at line ${earlier.line} (a flat "a/b" key and a nested one name the same parameter)`,
      );
      return;
    }
    this.seen.set(key, at);
    const fields = new Map<string, Node | null>();
    if (isMap(valueNode)) {
      for (const pair of valueNode.items) {
        const field = this.keyText(pair.key as Node | null);
        if (field === undefined) continue;
        if (!LONG_FORM_FIELDS.has(field)) {
          this.problem(
            this.position(pair.key as Node),
            key,
            `unknown field "${field}" in the long form (fields: ${[...LONG_FORM_FIELDS].join(", ")})`,
          );
          continue;
        }
        fields.set(field, this.resolve(pair.value as Node | null));
      }
    } else {
      fields.set("value", valueNode);
    }
    const text = (field: string): string | undefined => {
      const node = fields.get(field);
      if (node === undefined) return undefined;
      if (isScalar(node) && typeof node.value === "string" && node.value !== "") return node.value;
      this.problem(this.position(node) ?? at, key, `"${field}" must be non-empty text`);
      return undefined;
    };
    const fieldAt = (field: string): SourcePosition => (fields.get(field) ? this.position(fields.get(field)) : at);
    const declaredType = text("type");
    const notSecret = text("notSecret");
    if (notSecret !== undefined && notSecret !== "true")
      this.problem(fieldAt("notSecret"), key, `"notSecret" can only be true`);
    if (declaredType === "SecureString") {
      this.problem(
        fieldAt("type"),
        key,
        "SecureString parameters never come from this file: " +
          "create the secret by hand and list its name under required_secrets",
      );
      return;
    }
    const secretWord = notSecret === "true" ? undefined : secretLikeWord(key);
    if (secretWord) {
      this.problem(
        at,
        key,
        `looks like a secret ("${secretWord}"): secrets never come from this file; ` +
          "create it as a SecureString by hand and list it under required_secrets " +
          "(or add notSecret: true in the long form if it is not one)",
      );
      return;
    }
    const valueNodeRead = fields.get("value") ?? null;
    const valueAt = this.position(valueNodeRead) ?? at;
    let items: string[] | undefined;
    let value: string | undefined;
    if (isSeq(valueNodeRead)) {
      items = this.listItems(key, valueNodeRead);
      value = items?.join(",");
    } else if (isScalar(valueNodeRead)) {
      value = this.scalarValue(key, valueNodeRead);
    } else {
      this.problem(
        valueAt,
        key,
        isMap(valueNodeRead)
          ? "a value cannot be a mapping"
          : "value is empty: write a value (an empty parameter cannot exist in SSM)",
      );
    }
    const type = items ? "StringList" : "String";
    if (declaredType !== undefined && declaredType !== type) {
      this.problem(
        fieldAt("type"),
        key,
        `type "${declaredType}" does not match the value (a ${items ? "list" : "scalar"} is a ${type})`,
      );
    }
    const tier = (text("tier") ?? "Standard") as ParameterTier;
    if (!TIERS.includes(tier)) this.problem(fieldAt("tier"), key, `tier "${tier}" is not one of ${TIERS.join(", ")}`);
    const dataType = (text("dataType") ?? "text") as ParameterDataType;
    if (!DATA_TYPES.includes(dataType))
      this.problem(fieldAt("dataType"), key, `dataType "${dataType}" is not one of ${DATA_TYPES.join(", ")}`);
    else if (dataType !== "text" && type !== "String")
      this.problem(fieldAt("dataType"), key, `dataType "${dataType}" needs a String value`);
    else if (dataType === "aws:ec2:image" && value !== undefined && !AMI_ID.test(value))
      this.problem(valueAt, key, `"${value}" is not an AMI id (ami-...), as dataType aws:ec2:image requires`);
    const description = text("description");
    if (description !== undefined && description.length > MAX_DESCRIPTION_LENGTH) {
      this.problem(
        fieldAt("description"),
        key,
        `description is ${description.length} characters, SSM allows ${MAX_DESCRIPTION_LENGTH}`,
      );
    }
    const allowedPattern = text("allowedPattern");
    if (allowedPattern !== undefined) this.checkPattern(key, fieldAt("allowedPattern"), valueAt, allowedPattern, value);
    if (value === undefined) return;
    const bytes = Buffer.byteLength(value, "utf8");
    if (bytes > maxValueBytes(tier)) {
      this.problem(
        valueAt,
        key,
        `value is ${bytes} bytes, a ${tier} parameter holds at most ${maxValueBytes(tier)}` +
          (tier === "Standard" ? " (tier: Advanced allows 8192)" : ""),
      );
    }
    if (looksLikeSecretValue(value))
      this.problem(valueAt, key, "value is a private key: secrets never come from this file");
    const name = this.prefix + key;
    for (const message of fullNameProblems(name)) this.problem(at, key, message);
    if (this.entries.length >= MAX_ENTRIES) {
      this.tooManyEntries = true;
      this.problem(at, key, `more than ${MAX_ENTRIES} parameters in one file`);
      return;
    }
    this.entries.push({
      key,
      name,
      type,
      value,
      ...(items ? { items } : {}),
      ...(description !== undefined ? { description } : {}),
      ...(allowedPattern !== undefined ? { allowedPattern } : {}),
      tier,
      dataType,
      position: at,
    });
  }

  private scalarValue(key: string, node: Node): string | undefined {
    if (!isScalar(node) || typeof node.value !== "string") return undefined;
    const at = this.position(node);
    if (node.value === "") {
      this.problem(at, key, "value is empty: write a value (an empty parameter cannot exist in SSM)");
      return undefined;
    }
    if (node.type === "PLAIN" && NULL_WORDS.has(node.value)) {
      this.problem(at, key, `value is ${node.value} (null): write the value, or quote it if you mean the text`);
      return undefined;
    }
    return node.value;
  }

  private listItems(key: string, seq: Node): string[] | undefined {
    if (!isSeq(seq)) return undefined;
    if (seq.items.length === 0) {
      this.problem(this.position(seq), key, "list is empty: a StringList needs at least one item");
      return undefined;
    }
    const items: string[] = [];
    let ok = true;
    for (const raw of seq.items) {
      const item = this.resolve(raw as Node | null);
      const at = this.position((raw as Node | null) ?? seq);
      if (!isScalar(item)) {
        this.problem(at, key, "list items must be plain values (a StringList holds no nested lists or mappings)");
        ok = false;
        continue;
      }
      const text = this.scalarValue(key, item);
      if (text === undefined) ok = false;
      else if (text.includes(",")) {
        this.problem(at, key, `list item "${text}" contains a comma, which SSM uses to separate StringList items`);
        ok = false;
      } else items.push(text);
    }
    return ok ? items : undefined;
  }

  private checkPattern(
    key: string,
    at: SourcePosition,
    valueAt: SourcePosition,
    pattern: string,
    value: string | undefined,
  ): void {
    if (pattern.length > MAX_ALLOWED_PATTERN_LENGTH) {
      this.problem(at, key, `allowedPattern is ${pattern.length} characters, SSM allows ${MAX_ALLOWED_PATTERN_LENGTH}`);
      return;
    }
    let regex: RegExp;
    try {
      regex = new RegExp(pattern);
    } catch (error) {
      this.problem(at, key, `allowedPattern is not a valid regular expression: ${(error as Error).message}`);
      return;
    }
    if (value !== undefined && !regex.test(value))
      this.problem(valueAt, key, `value "${value}" does not match its allowedPattern ${pattern}`);
  }

  private readRequiredSecrets(node: Node): RequiredSecret[] {
    const list = this.resolve(node);
    if (!isSeq(list)) {
      this.problem(
        this.position(node),
        REQUIRED_SECRETS_KEY,
        "must be a list of parameter names relative to the prefix",
      );
      return [];
    }
    const secrets: RequiredSecret[] = [];
    const listed = new Set<string>();
    for (const raw of list.items) {
      const item = this.resolve(raw as Node | null);
      const at = this.position((raw as Node | null) ?? list);
      if (!isScalar(item) || typeof item.value !== "string" || item.value === "") {
        this.problem(at, REQUIRED_SECRETS_KEY, "each item must be a parameter name relative to the prefix");
        continue;
      }
      const key = item.value.replace(/^\//, "");
      const name = this.prefix + key;
      const problems = [...new Set([...key.split("/").flatMap(segmentProblems), ...fullNameProblems(name)])];
      for (const message of problems) this.problem(at, key, message);
      if (listed.has(key)) this.problem(at, key, "listed twice under required_secrets");
      else {
        const declared = this.seen.get(key);
        if (declared !== undefined)
          this.problem(at, key, `is listed as a secret and also declared as a parameter (line ${declared.line})`);
      }
      listed.add(key);
      if (problems.length === 0) secrets.push({ key, name, position: at });
    }
    return secrets;
  }
}

/** Longest key or message a problem quotes: a legal full name fits; a hostile file is not echoed back whole. */
const MAX_QUOTED = 1_100;

function clip(text: string): string {
  return text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}… (${text.length} characters)` : text;
}

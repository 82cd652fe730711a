/**
 * The model registry: versions and aliases of each model, recorded in the warehouse's `models` table, files in a
 * model store. Jobs refer to `name@alias`; every prediction row names the version that made it.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Warehouse } from "../../io/ports";
import type { FeatureSqlDialect } from "../../io/feature-query";
import { createScorer, type Scorer } from "../../transforms/score/scorer";
import { checkCard, type ModelCard } from "../../transforms/score/model-card";
import { ModelNotFoundError } from "./errors";
import { formatModelRef, type ModelRef } from "./model-ref";
import { LocalModelStore, REQUIRED_FILES, type ModelStore } from "./model-store";
import { insertModelSql, modelsTableDdl, selectModelsSql, setAliasesSql, type ModelRow } from "./registry-sql";

export interface RegisteredModel extends Omit<ModelRow, "metrics" | "card"> {
  metrics: ModelCard["metrics"] | null;
}

export interface RegisterResult {
  model: RegisteredModel;
  /** False when the same model.json was registered before: that version is returned, nothing is added. */
  added: boolean;
}

export class ModelRegistry {
  constructor(
    readonly warehouse: Warehouse,
    readonly sql: FeatureSqlDialect,
    readonly store: ModelStore,
  ) {}

  async ensureTable(): Promise<void> {
    await this.warehouse.query(modelsTableDdl(this.sql));
  }

  async list(name?: string): Promise<RegisteredModel[]> {
    await this.ensureTable();
    return (await this.rows(name)).map(toRegistered);
  }

  /** A trained model's folder (model.json + card.json) → the next version of the card's model, with `aliases`. */
  async register(dir: string, aliases: string[] = []): Promise<RegisterResult> {
    await this.ensureTable();
    const card = checkCard(JSON.parse(fs.readFileSync(path.join(dir, "card.json"), "utf8")));
    const sha256 = createHash("sha256")
      .update(fs.readFileSync(path.join(dir, "model.json")))
      .digest("hex");
    const existing = await this.rows(card.name);
    const same = existing.find((r) => r.sha256 === sha256);
    if (same) return { model: toRegistered(same), added: false };
    const version = existing.reduce((max, r) => Math.max(max, r.version), 0) + 1;
    const stored = path.join(dir, ".register", `v${version}`);
    writeVersionedCopy(dir, stored, version);
    const uri = await this.store.put(card.name, version, stored);
    fs.rmSync(path.join(dir, ".register"), { recursive: true, force: true });
    const row: ModelRow = {
      name: card.name,
      version,
      uri,
      schema: card.schema.name,
      schemaVersion: card.schema.version,
      registeredAt: new Date().toISOString(),
      aliases: [],
      sha256,
      metrics: JSON.stringify(card.metrics),
      card: JSON.stringify({ ...card, version }),
    };
    await this.warehouse.query(insertModelSql(this.sql, row));
    for (const alias of aliases) await this.setAlias(card.name, version, alias);
    return { model: await this.resolve({ name: card.name, version }), added: true };
  }

  async resolve(ref: ModelRef): Promise<RegisteredModel> {
    await this.ensureTable();
    const rows = await this.rows(ref.name);
    if (rows.length === 0) throw new ModelNotFoundError(`no model "${ref.name}" is registered`);
    const found =
      ref.version !== undefined
        ? rows.find((r) => r.version === ref.version)
        : ref.alias !== undefined
          ? rows.find((r) => r.aliases.includes(ref.alias!))
          : rows[rows.length - 1];
    if (!found)
      throw new ModelNotFoundError(
        `model ${formatModelRef(ref)} is not registered (versions: ${rows.map(describeRow).join(", ")})`,
      );
    return toRegistered(found);
  }

  /** Moves `alias` of model `name` to `version` (one alias, one version). */
  async setAlias(name: string, version: number, alias: string): Promise<void> {
    const rows = await this.rows(name);
    const changes = new Map<number, string[]>();
    for (const r of rows) {
      const next =
        r.version === version ? [...new Set([...r.aliases, alias])].sort() : r.aliases.filter((a) => a !== alias);
      if (next.join() !== r.aliases.join()) changes.set(r.version, next);
    }
    for (const statement of setAliasesSql(this.sql, name, changes)) await this.warehouse.query(statement);
  }

  /** Takes `alias` off a version (a champion is no longer the challenger). */
  async removeAlias(name: string, version: number, alias: string): Promise<void> {
    const row = (await this.rows(name)).find((r) => r.version === version);
    if (!row || !row.aliases.includes(alias)) return;
    for (const statement of setAliasesSql(this.sql, name, new Map([[version, row.aliases.filter((a) => a !== alias)]])))
      await this.warehouse.query(statement);
  }

  async card(model: RegisteredModel): Promise<ModelCard> {
    return checkCard(JSON.parse((await this.store.read(model.uri, "card.json")).toString("utf8")));
  }

  /** The version's scorer: its card and model.json, read from the store (the URI checked to lie inside it). */
  async scorer(model: RegisteredModel): Promise<Scorer> {
    const [card, json] = await Promise.all([
      this.store.read(model.uri, "card.json"),
      this.store.read(model.uri, "model.json"),
    ]);
    return createScorer(JSON.parse(card.toString("utf8")), json.toString("utf8"));
  }

  /** A folder holding the version's files: the store's own folder, or a copy of a Cloud Storage version. */
  async localFolder(model: RegisteredModel): Promise<string> {
    if (this.store instanceof LocalModelStore) return this.store.inside(model.uri);
    const dir = path.join(os.tmpdir(), "rox-models", `${model.name}-v${model.version}-${model.sha256.slice(0, 12)}`);
    fs.mkdirSync(dir, { recursive: true });
    for (const file of REQUIRED_FILES) fs.writeFileSync(path.join(dir, file), await this.store.read(model.uri, file));
    return dir;
  }

  private async rows(name?: string): Promise<ModelRow[]> {
    return (await this.warehouse.query(selectModelsSql(this.sql, name))).map((r) => ({
      name: String(r.name),
      version: Number(r.version),
      uri: String(r.uri),
      schema: String(r.schema),
      schemaVersion: r.schema_version === null || r.schema_version === undefined ? null : Number(r.schema_version),
      registeredAt: String(r.registered_at),
      aliases: JSON.parse(String(r.aliases)) as string[],
      sha256: String(r.sha256),
      metrics: String(r.metrics ?? "null"),
      card: String(r.card ?? "null"),
    }));
  }
}

/** The stored card carries its version, so a folder copied out of the store still says what it is. */
function writeVersionedCopy(dir: string, target: string, version: number): void {
  fs.mkdirSync(target, { recursive: true });
  for (const file of fs.readdirSync(dir)) {
    const from = path.join(dir, file);
    if (!fs.statSync(from).isFile()) continue;
    if (file === "card.json")
      fs.writeFileSync(
        path.join(target, file),
        JSON.stringify({ ...JSON.parse(fs.readFileSync(from, "utf8")), version }, null, 2) + "\n",
      );
    else fs.copyFileSync(from, path.join(target, file));
  }
}

function toRegistered(row: ModelRow): RegisteredModel {
  const { card: _card, metrics, ...rest } = row;
  return { ...rest, metrics: JSON.parse(metrics) as ModelCard["metrics"] | null };
}

function describeRow(r: ModelRow): string {
  return r.aliases.length ? `${r.version} (${r.aliases.join(", ")})` : String(r.version);
}

/** The command line was wrong: an unknown command, a missing or malformed option. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** A job finished but its counts do not reconcile (`read != written + deadLettered + duplicates`). */
export class ReconciliationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ReconciliationError";
  }
}

/** `rox serve` cannot listen where it was told (the port is taken, the host is not this machine's). */
export class ServeListenError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ServeListenError";
  }
}

/**
 * Exit codes by error type (its `name`, so modules loaded lazily need not be imported here); only `main` uses them.
 * Documented in the README's "Exit codes".
 */
export const EXIT_CODES: Readonly<Record<string, number>> = {
  // 2: the command or its settings are wrong — fix the invocation.
  UsageError: 2,
  MissingSettingError: 2,
  ConfigError: 2,
  CronError: 2,
  RunnerChoiceError: 2,
  SampleOptionsError: 2,
  ServeListenError: 2,
  // 3: the input is wrong — a file, a schema, a name, a template parameter.
  InputError: 3,
  SchemaError: 3,
  InvalidIdentifierError: 3,
  FileNotFoundError: 3,
  TemplateParameterError: 3,
  NoTrainingDataError: 3,
  ModelNotFoundError: 3,
  ModelFormatError: 3,
  // 4: the job ran but its counts do not reconcile.
  ReconciliationError: 4,
  // 5: a cloud API (or its emulator) refused or failed a call.
  CloudApiError: 5,
  PubSubCallError: 5,
  PubSubRestError: 5,
  SourceUnavailableError: 5,
  FileSourceError: 5,
  BigQueryWarehouseError: 5,
  DataflowSubmitError: 5,
  ServiceUnreachableError: 5,
  // 6: something we started failed (a Dataflow job, a trainer) or did not finish while we waited.
  LaunchFailedError: 6,
  TrainerFailedError: 6,
  PipelineStepFailedError: 6,
  JobWaitTimeoutError: 6,
  FlinkJobFailedError: 6,
  // 7: a running job cannot be updated in place (drain and relaunch).
  UpdateIncompatibleError: 7,
  // 8: a local tool is missing or would not start: an emulator, the Beam helpers, the compiled trainer.
  EmulatorUnavailableError: 8,
  EmulatorStartError: 8,
  GcsEmulatorUnavailableError: 8,
  GcsEmulatorStartError: 8,
  BigQueryEmulatorUnavailableError: 8,
  BigQueryEmulatorStartError: 8,
  BeamServicesMissingError: 8,
  TrainerNotBuiltError: 8,
  FlinkJobServerUnavailableError: 8,
  FlinkJobServerStartError: 8,
  MlEnvironmentMissingError: 8,
  // 9: another job holds the warehouse file: run again when it has finished.
  WarehouseBusyError: 9,
  // 10: a model promotion the gate refused (the candidate does not beat the champion on the same held-out rows).
  PromotionRefusedError: 10,
};

export function exitCodeOf(err: unknown): number {
  const name = err instanceof Error ? err.name : "";
  return Object.hasOwn(EXIT_CODES, name) ? EXIT_CODES[name] : 1;
}

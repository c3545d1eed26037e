/**
 * What the D-Wave samplers share: a lazily built SAPI client from the layered configuration, solver
 * selection, and the options both accept.
 */
import { SapiClient, SapiClientOptions } from '../client/client';
import { SolverNotFoundError } from '../client/errors';
import type { OrderBy } from '../client/filters';
import type { SolverDescription } from '../client/types';
import { loadDWaveConfig, parseSolverOption, ResolvedDWaveConfig, SolverFilter } from '../config';
import { maskUrlCredentials } from '../redact';

export interface DWaveSamplerOptions {
  /** A ready client (tests, or sharing one client between samplers). */
  client?: SapiClient;
  /** Client settings over the configured ones (timeouts, poll wait, retries...). */
  clientOptions?: Partial<SapiClientOptions>;
  /**
   * D-Wave options at the highest precedence (like the reference client's constructor arguments):
   * token, endpoint, region, solver, profile, configFile, client, proxy, headers, plus sampler
   * defaults (chainStrength, chainStrengthPrefactor, timeLimit...).
   */
  config?: Record<string, unknown>;
  /** Options from qahan.config.json / package.json "qahan".dwave: below DWAVE_* env, above dwave.conf. */
  projectConfig?: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** A solver filter, name or identity string; overrides the configured `solver`. */
  solver?: string | SolverFilter;
}

/** camelCase client settings that may sit in the dwave config object. */
const CLIENT_KEYS = [
  'requestTimeoutMs',
  'pollWaitTime',
  'pollTimeoutSlackMs',
  'pollingTimeoutMs',
  'retryTotal',
  'timeoutRetries',
  'deadlineMs',
  'backoffFactorMs',
  'backoffMaxMs',
  'maxRetryAfterMs',
  'maxResponseBytes',
  'maxDecompressedBytes',
  'compress',
  'cancelTimeoutMs',
] as const;

export class DWaveContext {
  private clientPromise: Promise<SapiClient> | undefined;
  private readonly solverCache = new Map<string, Promise<SolverDescription>>();
  readonly settings: ResolvedDWaveConfig;

  constructor(private readonly o: DWaveSamplerOptions) {
    this.settings = o.client
      ? ({ sources: {}, files: [], ...(o.config ?? {}) } as ResolvedDWaveConfig)
      : loadDWaveConfig({ options: stripSamplerKeys(o.config), projectOptions: stripSamplerKeys(o.projectConfig), env: o.env, cwd: o.cwd });
    // The token is read again when the client is built; nothing here keeps it.
    delete this.settings.token;
  }

  /** util.inspect shows the endpoint and solver choice, never the options (which may hold a token). */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `DWaveContext { endpoint: ${JSON.stringify(this.shownEndpoint())}, solver: ${JSON.stringify(this.o.solver ?? this.settings.solver)} }`;
  }

  toJSON(): Record<string, unknown> {
    return { endpoint: this.shownEndpoint(), solver: this.o.solver ?? this.settings.solver };
  }

  /** The endpoint with any user:password masked. */
  private shownEndpoint(): string | undefined {
    const e = this.settings.endpoint ?? this.o.client?.endpoint;
    return e === undefined ? undefined : maskUrlCredentials(String(e));
  }

  /** A sampler default from the options (argument first, then the project config). */
  option<T = unknown>(key: string): T | undefined {
    return (this.o.config?.[key] ?? this.o.projectConfig?.[key]) as T | undefined;
  }

  client(): Promise<SapiClient> {
    if (this.o.client) return Promise.resolve(this.o.client);
    if (!this.clientPromise) {
      const overrides: Partial<SapiClientOptions> = {};
      for (const k of CLIENT_KEYS) {
        const v = this.option(k);
        if (v !== undefined) (overrides as Record<string, unknown>)[k] = v;
      }
      this.clientPromise = SapiClient.fromConfig(
        { options: stripSamplerKeys(this.o.config), projectOptions: stripSamplerKeys(this.o.projectConfig), env: this.o.env, cwd: this.o.cwd },
        { ...overrides, ...(this.o.clientOptions ?? {}) },
      );
      this.clientPromise.catch(() => (this.clientPromise = undefined));
    }
    return this.clientPromise;
  }

  /** The configured solver filter (option > config layers), or undefined. */
  configuredFilter(): SolverFilter | undefined {
    return parseSolverOption(this.o.solver ?? this.settings.solver);
  }

  /**
   * The solver: the configured filter narrowed by `required`, ordered by `orderBy`; cached per sampler.
   * With `fallback`, a configured filter that matches nothing falls back to `required` alone.
   */
  async selectSolver(required: SolverFilter, orderBy: OrderBy, opts: { signal?: AbortSignal; fallback?: boolean } = {}): Promise<SolverDescription> {
    const configured = this.configuredFilter();
    const key = JSON.stringify([required, configured, orderBy]);
    let hit = this.solverCache.get(key);
    if (!hit) {
      hit = (async () => {
        const client = await this.client();
        const filters = { ...(configured ?? {}), ...required };
        const found = await client.getSolvers(filters, { signal: opts.signal, orderBy: (filters.order_by as OrderBy) ?? orderBy });
        if (found.length) return found[0];
        if (configured && opts.fallback) {
          const any = await client.getSolvers(required, { signal: opts.signal, orderBy });
          if (any.length) return any[0];
        }
        throw new SolverNotFoundError(`no online solver matches ${JSON.stringify(filters)} at ${client.endpoint}`);
      })();
      this.solverCache.set(key, hit);
      hit.catch(() => this.solverCache.delete(key));
    }
    return hit;
  }
}

const SAMPLER_KEYS = new Set(['chainStrength', 'chainStrengthPrefactor', 'timeLimit', 'annealingTime', ...CLIENT_KEYS]);

function stripSamplerKeys(o: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!o) return o;
  return Object.fromEntries(Object.entries(o).filter(([k]) => !SAMPLER_KEYS.has(k)));
}

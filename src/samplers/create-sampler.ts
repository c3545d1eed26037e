import { resolveSamplerConfig, SamplerConfig, SamplerName } from '../config/qahan-config';
import type { BinaryQuadraticModel } from '../model/bqm';
import { ExactSolver } from './exact';
import { ParallelTemperingSampler } from './parallel-tempering';
import { PathIntegralAnnealingSampler } from './path-integral-annealing';
import type { SampleSet } from './sample-set';
import type { SampleParams, Sampler } from './sampler';
import { SimulatedAnnealingSampler } from './simulated-annealing';
import { TabuSampler } from './tabu';

/** Makes a D-Wave sampler; registered by src/dwave so that this module stays free of HTTP code. */
export type RemoteSamplerFactory = (
  name: 'dwave-qpu' | 'dwave-hybrid',
  options: Record<string, unknown>,
  layers?: { argument: Record<string, unknown>; file: Record<string, unknown> },
) => Sampler;
let remoteFactory: RemoteSamplerFactory | undefined;

export function registerRemoteSamplerFactory(factory: RemoteSamplerFactory): void {
  remoteFactory = factory;
}

/** A sampler whose configured parameters are defaults under every call's own. */
class ConfiguredSampler implements Sampler {
  constructor(
    private readonly inner: Sampler,
    private readonly defaults: Record<string, unknown>,
  ) {}
  get name() {
    return this.inner.name;
  }
  get parameters() {
    return this.inner.parameters;
  }
  /** Parameters not meant for this sampler (e.g. trotterSlices in a shared config used by 'sa') are dropped. */
  private merge(params: SampleParams = {}): SampleParams {
    const known = new Set([...this.inner.parameters, 'numReads', 'seed', 'threads', 'signal', 'onProgress']);
    const defaults = Object.fromEntries(Object.entries(this.defaults).filter(([k]) => known.has(k)));
    return { ...defaults, ...params };
  }
  sample(bqm: BinaryQuadraticModel, params?: SampleParams): Promise<SampleSet> {
    return this.inner.sample(bqm, this.merge(params));
  }
  sampleBatch(bqms: readonly BinaryQuadraticModel[], params?: SampleParams): Promise<SampleSet[]> {
    return this.inner.sampleBatch(bqms, this.merge(params));
  }
}

/**
 * The configured sampler. Choice (highest first): `config`, QAHAN_SAMPLER and friends in the
 * environment, qahan.config.json or package.json "qahan" from the working folder up; default 'sqa'.
 */
export function createSampler(config?: SamplerConfig | SamplerName): Sampler {
  const resolved = resolveSamplerConfig(config);
  const name = resolved.sampler;
  let inner: Sampler;
  switch (name) {
    case 'sa':
      inner = new SimulatedAnnealingSampler();
      break;
    case 'sqa':
      inner = new PathIntegralAnnealingSampler();
      break;
    case 'pt':
      inner = new ParallelTemperingSampler();
      break;
    case 'tabu':
      inner = new TabuSampler();
      break;
    case 'exact':
      inner = new ExactSolver();
      break;
    case 'dwave-qpu':
    case 'dwave-hybrid':
      if (!remoteFactory) {
        // Loading the D-Wave module registers its factory.
        require('../dwave');
      }
      if (!remoteFactory) throw new Error(`sampler '${name}' is not available: the D-Wave module did not register`);
      inner = remoteFactory(name, resolved.dwave, resolved.dwaveLayers);
      break;
  }
  return new ConfiguredSampler(inner, resolved.params);
}

/**
 * KernelLayer: what Dense and Conv1D/2D/3D share — an activation, a kernel and an optional bias,
 * their initializers, and the three regularizer hooks.
 *
 *   weights  [kernel, bias]   bias shape [kernel's last dimension], only when useBias
 *
 * The regularizers are only declared here (on each LayerWeight and on `activityRegularizer`);
 * lib/training/penalties.ts adds their penalties and gradients.
 */
import { Random } from '../random';
import { getRegularizer, Regularizer, RegularizerIdentifier } from '../regularizers';
import { ActivationName, getActivation } from '../activations';
import { getInitializer, Initializer } from '../initializers';
import { Constraint, ConstraintIdentifier, constraintConfig, getConstraint } from '../constraints';
import { Layer, boolOption, regularizerConfig, seedOption } from './layer';

export type InitializerIdentifier = string | { name: string; seed?: number; mean?: number; stddev?: number; minval?: number; maxval?: number } | Initializer;

/** The options every layer with a kernel and a bias takes (Dense, Conv1D/2D/3D). */
export interface KernelLayerArgs {
  activation?: ActivationName | null;
  useBias?: boolean;
  kernelInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  kernelRegularizer?: RegularizerIdentifier | null;
  biasRegularizer?: RegularizerIdentifier | null;
  activityRegularizer?: RegularizerIdentifier | null;
  /** Projection of the kernel after each optimizer step (lib/constraints.ts). */
  kernelConstraint?: ConstraintIdentifier | null;
  /** Projection of the bias after each optimizer step. */
  biasConstraint?: ConstraintIdentifier | null;
  inputShape?: number[];
  name?: string;
  /** Seeds the initializers: the same seed gives the same initial weights. */
  seed?: number;
}

/** The KernelLayerArgs option names, for checkOptionNames. */
export const KERNEL_LAYER_OPTIONS = ['activation', 'useBias', 'kernelInitializer', 'biasInitializer', 'kernelRegularizer',
  'biasRegularizer', 'activityRegularizer', 'kernelConstraint', 'biasConstraint', 'inputShape', 'name', 'seed'] as const;

export abstract class KernelLayer extends Layer {
  // ---- config (validated) ----
  readonly activation: ActivationName;
  readonly useBias: boolean;
  readonly kernelInitializer: Initializer;
  readonly biasInitializer: Initializer;
  readonly kernelRegularizer: Regularizer | null;
  readonly biasRegularizer: Regularizer | null;
  readonly kernelConstraint: Constraint | null;
  readonly biasConstraint: Constraint | null;
  readonly seed: number | undefined;

  constructor(prefix: string, args: KernelLayerArgs) {
    super(prefix, args);
    const n = this.name;
    this.activation = getActivation(n, args.activation);
    this.useBias = boolOption(n, 'useBias', args.useBias, true);
    this.kernelInitializer = getInitializer(n, 'kernelInitializer', args.kernelInitializer, 'glorotUniform');
    this.biasInitializer = getInitializer(n, 'biasInitializer', args.biasInitializer, 'zeros');
    this.kernelRegularizer = getRegularizer(n, 'kernelRegularizer', args.kernelRegularizer);
    this.biasRegularizer = getRegularizer(n, 'biasRegularizer', args.biasRegularizer);
    this.activityRegularizer = getRegularizer(n, 'activityRegularizer', args.activityRegularizer);
    this.kernelConstraint = getConstraint(n, 'kernelConstraint', args.kernelConstraint);
    this.biasConstraint = getConstraint(n, 'biasConstraint', args.biasConstraint);
    this.seed = seedOption(n, args.seed);
  }

  /** Creates [kernel, bias] from one seeded generator; the bias has the kernel's last dimension. */
  protected buildKernelAndBias(kernelShape: number[]): void {
    const rng = new Random(this.seed);
    this.weights = [this.makeWeight('kernel', 'kernel', kernelShape, this.kernelInitializer, this.kernelRegularizer, rng, this.kernelConstraint)];
    if (this.useBias) {
      const units = kernelShape[kernelShape.length - 1];
      this.weights.push(this.makeWeight('bias', 'bias', [units], this.biasInitializer, this.biasRegularizer, rng, this.biasConstraint));
    }
  }

  /** The shared part of getConfig(), Keras names. */
  protected kernelLayerConfig(): Record<string, unknown> {
    return {
      activation: this.activation,
      useBias: this.useBias,
      kernelInitializer: this.kernelInitializer.getConfig(),
      biasInitializer: this.biasInitializer.getConfig(),
      kernelRegularizer: regularizerConfig(this.kernelRegularizer),
      biasRegularizer: regularizerConfig(this.biasRegularizer),
      activityRegularizer: regularizerConfig(this.activityRegularizer),
      kernelConstraint: constraintConfig(this.kernelConstraint),
      biasConstraint: constraintConfig(this.biasConstraint),
    };
  }
}

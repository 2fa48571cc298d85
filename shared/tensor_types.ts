/**
 * The tfjs tensor types our public signatures use, named here so that they belong to cohesive's
 * documented API (the tfjs namespace itself is `@cohesive/shared/tf`).
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";

/** A tensor of any rank (`tf.Tensor`). */
export type Tensor = tf.Tensor;
/** A scalar tensor (`tf.Scalar`). */
export type Scalar = tf.Scalar;
/** A rank-1 tensor (`tf.Tensor1D`). */
export type Tensor1D = tf.Tensor1D;
/** A rank-2 tensor (`tf.Tensor2D`). */
export type Tensor2D = tf.Tensor2D;
/** A rank-3 tensor (`tf.Tensor3D`). */
export type Tensor3D = tf.Tensor3D;
/** A rank-4 tensor (`tf.Tensor4D`). */
export type Tensor4D = tf.Tensor4D;
/** A trainable variable (`tf.Variable`). */
export type Variable = tf.Variable;

/**
 * The adjoint of broadcasting: summing a gradient back down to an operand's shape. Every
 * broadcasting op's VJP ends here.
 */
import type { Value } from '../ir.js';
import { shapeEqual, type Shape } from '../shape.js';

/**
 * Sums `x` over the axes along which a value of `shape` was broadcast to `x.shape`, giving a
 * value of exactly `shape`.
 * @example sumToShape(gy, [1, 3])  // reduceSum over axis 0, keepdims
 */
export function sumToShape(x: Value, shape: Shape): Value {
  if (shapeEqual(x.shape, shape)) return x;
  const g = x.graph;
  const lead = x.shape.length - shape.length;
  const axes: number[] = [];
  for (let ax = 0; ax < x.shape.length; ax++) {
    if (ax < lead || (shape[ax - lead] === 1 && x.shape[ax] !== 1)) axes.push(ax);
  }
  const summed = axes.length ? g.reduceSum(x, axes, true) : x;
  return shapeEqual(summed.shape, shape) ? summed : g.reshape(summed, shape);
}

import { Expression, Model, sum } from '../../src/model/modelling';
import { ExactSolver } from '../../src/samplers/exact';
import { SampleSet } from '../../src/samplers/sample-set';

/** Every assignment of the named binary/spin variables. */
function* assignments(names: string[], spins = new Set<string>()): Generator<Record<string, number>> {
  for (let s = 0; s < 1 << names.length; s++) {
    const out: Record<string, number> = {};
    names.forEach((v, i) => (out[v] = (s >> i) & 1 ? 1 : spins.has(v) ? -1 : 0));
    yield out;
  }
}

describe('expressions', () => {
  test('add, sub, mul with numbers and expressions; x*x = x, s*s = 1', () => {
    const m = new Model();
    const x = m.binary('x');
    const y = m.binary('y');
    const s = m.spin('s');
    const e = x.add(y).mul(x.sub(2)).add(s.mul(s)).add(3);
    // (x + y)(x - 2) = x - 2x + xy - 2y = -x + xy - 2y; s^2 = 1; + 3.
    for (const v of assignments(['x', 'y', 's'], new Set(['s']))) expect(e.evaluate(v)).toBe(-v.x + v.x * v.y - 2 * v.y + 4);
    expect(e.degree).toBe(2);
    expect(String(x.mul(2).sub(y).add(1))).toBe('2*x - y + 1');
    expect(() => x.mul(y).mul(s)).toThrow(/degree 3/);
    expect(sum([x, [y, 2]], 1).evaluate({ x: 1, y: 1 })).toBe(5);
    expect(Expression.from(4).evaluate({})).toBe(4);
    expect(() => m.binary('x')).toThrow(/already declared/);
  });
});

describe('Model.compile', () => {
  test('the compiled energy is objective + penalties; ExactSolver finds the constrained optimum', async () => {
    const m = new Model();
    const x = m.binaryArray('x', 4);
    const w = [3, -1, 2, -4];
    m.minimize(sum(x.map((xi, i) => xi.mul(w[i]))).add(x[0].mul(x[3]).mul(5)));
    m.constrain(sum(x), '>=', 2, { label: 'atLeastTwo' });
    m.constrain(x[1].add(x[2]), '<=', 1, { label: 'oneOf12' });
    const { bqm, decode, slack } = m.compile();
    expect(bqm.variables.slice(0, 4)).toEqual(['x[0]', 'x[1]', 'x[2]', 'x[3]']);
    expect(slack.atLeastTwo).toHaveLength(2); // range 2 -> weights 1, 1
    const ss = await new ExactSolver().sample(bqm);
    const d = decode(ss);
    // Brute force over the four variables.
    let best = Infinity;
    for (const v of assignments(['x[0]', 'x[1]', 'x[2]', 'x[3]'])) {
      const count = Object.values(v).reduce((a, b) => a + b, 0);
      if (count < 2 || v['x[1]'] + v['x[2]'] > 1) continue;
      best = Math.min(best, 3 * v['x[0]'] - v['x[1]'] + 2 * v['x[2]'] - 4 * v['x[3]'] + 5 * v['x[0]'] * v['x[3]']);
    }
    expect(d.bestFeasible!.objective).toBe(best);
    expect(d.bestFeasible!.violations).toEqual({ atLeastTwo: 0, oneOf12: 0 });
    expect(d.lowestEnergy).toBe(d.bestFeasible); // the penalties are strong enough
    expect(d.samples).toHaveLength(ss.length);
    const bad = d.samples.find((s) => s.values['x[1]'] === 1 && s.values['x[2]'] === 1 && s.values['x[0]'] === 0 && s.values['x[3]'] === 0)!;
    expect(bad.feasible).toBe(false);
    expect(bad.constraints.oneOf12).toEqual({ satisfied: false, violation: 1 });
    expect(bad.violations.atLeastTwo).toBe(0);
  });

  test('equality, one-hot, at-most-k, spins, strength override and SPIN compile', async () => {
    const m = new Model();
    const s = m.spinArray('s', 3);
    m.minimize(s[0].mul(s[1]).add(s[1].mul(s[2])).add(s[0].mul(0.5)));
    m.oneHot(s, { label: 'one', strength: 10 });
    const { bqm, decode, strengths } = m.compile();
    expect(bqm.vartype).toBe('SPIN');
    expect(strengths.one).toBe(10);
    const d = decode(await new ExactSolver().sample(bqm));
    const best = d.bestFeasible!;
    expect(Object.values(best.values).filter((v) => v === 1)).toHaveLength(1);
    // one +1 among three spins: brute force of s0 s1 + s1 s2 + 0.5 s0
    const options = [[1, -1, -1], [-1, 1, -1], [-1, -1, 1]].map(([a, b, c]) => a * b + b * c + 0.5 * a);
    expect(best.objective).toBe(Math.min(...options));

    const k = new Model();
    const x = k.binaryArray('x', 5);
    k.minimize(sum(x).mul(-1));
    k.atMostK(x, 2);
    const compiled = k.compile({ vartype: 'SPIN' });
    const dk = compiled.decode(await new ExactSolver().sample(compiled.bqm));
    expect(dk.bestFeasible!.objective).toBe(-2);
    expect(Object.keys(dk.bestFeasible!.violations)).toEqual(['c0']);
  });

  test('errors name the problem', () => {
    const m = new Model();
    const x = m.binary('x');
    const y = m.binary('y');
    expect(() => m.constrain(x.mul(y), '<=', 1)).toThrow(/only linear/);
    expect(() => m.constrain(x.add(y), '>=', 3)).toThrow(/can never hold/);
    expect(() => m.constrain(x, '<' as never, 1)).toThrow(TypeError);
    m.constrain(x, '<=', 1, { label: 'a' });
    expect(() => m.constrain(x, '<=', 1, { label: 'a' })).toThrow(/already exists/);
    expect(() => m.constrain(x, '==', 1, { strength: -1 })).toThrow(/strength/);
    const { decode } = m.compile();
    const other = new SampleSet({ vartype: 'BINARY', numVariables: 1, samples: Int8Array.from([1]), energies: [0] });
    expect(() => decode(other)).toThrow(/no variable "x"/);
  });
});

import { describe, expect, it } from "vitest";
import { ClaypipeError } from "../../src/core/errors.js";
import {
  compileRoutes,
  type RoutesConfig,
  RoutesError,
  routesSchema,
} from "../../src/routing/index.js";

const SINKS = ["crm", "sequencer", "warehouse"];

function routes(input: unknown): RoutesConfig {
  return routesSchema.parse(input);
}

function compileError(config: RoutesConfig, sinks: readonly string[] = SINKS): RoutesError {
  try {
    compileRoutes(config, sinks);
  } catch (thrown) {
    if (thrown instanceof RoutesError) return thrown;
    throw thrown;
  }
  throw new Error("expected the routes not to compile");
}

const RULES = [
  { name: "hot", when: "icp_score >= 80 and work_email", to: ["crm", "sequencer"] },
  { name: "warm", when: "icp_score >= 50", to: ["sequencer"] },
  { name: "big", when: "employees > 1000", to: ["warehouse"] },
];

describe("Router.route", () => {
  const hot = { icp_score: 90, work_email: "ada@acme.com", employees: 5000 };
  const big = { icp_score: 10, employees: "2500" };
  const cold = { icp_score: 10 };

  it("first: takes the first matching rule only", () => {
    const router = compileRoutes(routes({ rules: RULES, default: ["warehouse"] }), SINKS);
    expect(router.mode).toBe("first");
    expect(router.route(hot)).toEqual([{ route: "hot", sinks: ["crm", "sequencer"] }]);
    expect(router.route(big)).toEqual([{ route: "big", sinks: ["warehouse"] }]);
  });

  it("all: takes every matching rule, in order", () => {
    const router = compileRoutes(
      routes({ mode: "all", rules: RULES, default: ["warehouse"] }),
      SINKS,
    );
    expect(router.route(hot)).toEqual([
      { route: "hot", sinks: ["crm", "sequencer"] },
      { route: "warm", sinks: ["sequencer"] },
      { route: "big", sinks: ["warehouse"] },
    ]);
    expect(router.route(big)).toEqual([{ route: "big", sinks: ["warehouse"] }]);
  });

  it.each(["first", "all"])("%s: a row no rule matches takes the default route", (mode) => {
    const router = compileRoutes(routes({ mode, rules: RULES, default: ["warehouse"] }), SINKS);
    expect(router.route(cold)).toEqual([{ route: "default", sinks: ["warehouse"] }]);
  });

  it.each(["first", "all"])("%s: with no default, a row no rule matches goes nowhere", (mode) => {
    const router = compileRoutes(routes({ mode, rules: RULES }), SINKS);
    expect(router.route(cold)).toEqual([]);
  });

  it("sends everything to the default when there are no rules", () => {
    const router = compileRoutes(routes({ default: ["crm"] }), SINKS);
    expect(router.route({})).toEqual([{ route: "default", sinks: ["crm"] }]);
  });

  it("hands out fresh arrays, so a caller's change does not leak into the next row", () => {
    const config = routes({ rules: RULES, default: ["warehouse"] });
    const router = compileRoutes(config, SINKS);
    router.route(hot)[0]!.sinks.push("oops");
    router.route(cold)[0]!.sinks.push("oops");
    config.rules[0]!.to.push("late");
    expect(router.route(hot)).toEqual([{ route: "hot", sinks: ["crm", "sequencer"] }]);
    expect(router.route(cold)).toEqual([{ route: "default", sinks: ["warehouse"] }]);
  });

  it("never throws on odd row content", () => {
    const router = compileRoutes(
      routes({ mode: "all", rules: RULES, default: ["warehouse"] }),
      SINKS,
    );
    const odd = JSON.parse(
      '{"icp_score": {"value": 90}, "work_email": ["a"], "employees": null, "__proto__": {"icp_score": 99}}',
    );
    expect(router.route(odd)).toEqual([{ route: "default", sinks: ["warehouse"] }]);
    expect(router.route(Object.create(null))).toEqual([{ route: "default", sinks: ["warehouse"] }]);
  });
});

describe("Router.route: outcomes (on:)", () => {
  const ON_RULES = [
    { name: "hot", when: "icp_score >= 80", to: ["crm"] },
    { name: "kept-out", when: "true", to: ["warehouse"], on: ["skipped"] },
    { name: "both", when: "email", to: ["sequencer"], on: ["enriched", "unchanged"] },
  ];
  const row = { icp_score: 10, email: "ada@acme.com" };

  it("matches only the rules whose on names the outcome; a rule without on takes enriched rows", () => {
    const router = compileRoutes(routes({ mode: "all", rules: ON_RULES }), SINKS);
    expect(router.route({ ...row, icp_score: 90 })).toEqual([
      { route: "hot", sinks: ["crm"] },
      { route: "both", sinks: ["sequencer"] },
    ]);
    expect(router.route(row, "skipped")).toEqual([{ route: "kept-out", sinks: ["warehouse"] }]);
    expect(router.route(row, "unchanged")).toEqual([{ route: "both", sinks: ["sequencer"] }]);
  });

  it("gives the default sinks enriched rows only", () => {
    const router = compileRoutes(routes({ rules: [RULES[0]], default: ["warehouse"] }), SINKS);
    expect(router.route(row)).toEqual([{ route: "default", sinks: ["warehouse"] }]);
    expect(router.route(row, "skipped")).toEqual([]);
    expect(router.route(row, "unchanged")).toEqual([]);
  });

  it("says which outcomes any route takes", () => {
    const withDefault = compileRoutes(routes({ default: ["crm"] }), SINKS);
    expect(
      ["enriched", "skipped", "unchanged"].map((on) => withDefault.takes(on as never)),
    ).toEqual([true, false, false]);
    const router = compileRoutes(routes({ rules: ON_RULES.slice(1, 2) }), SINKS);
    expect(router.takes("skipped")).toBe(true);
    expect(router.takes("enriched")).toBe(false);
  });

  it("refuses an outcome it does not know", () => {
    expect(() =>
      routes({ rules: [{ name: "x", when: "true", to: ["crm"], on: ["sent"] }] }),
    ).toThrow();
    expect(() => routes({ rules: [{ name: "x", when: "true", to: ["crm"], on: [] }] })).toThrow();
  });
});

describe("compileRoutes: problems", () => {
  it("collects every problem with its key path into one config_invalid error", () => {
    const error = compileError(
      routes({
        rules: [
          { name: "hot", when: "icp_score >= 80 and = 3", to: ["crm", "x"] },
          { name: "warm", when: "icp_score >= 50", to: ["sequencer", "sequencer"] },
          { name: "HOT", when: "a ==", to: ["crm"] },
          { name: "Default", when: "true", to: ["crm"] },
        ],
        default: ["nowhere"],
      }),
    );
    expect(error).toBeInstanceOf(ClaypipeError);
    expect(error.code).toBe("config_invalid");
    expect(error.hint).toContain("docs/routing.md");
    expect(error.problems).toEqual([
      {
        path: "routes.rules[0].when",
        message:
          'unexpected "=" at column 21: expected a value\nicp_score >= 80 and = 3\n                    ^',
      },
      {
        path: "routes.rules[0].to",
        message: 'no sink named "x" (sinks: crm, sequencer, warehouse)',
      },
      { path: "routes.rules[1].to", message: '"sequencer" is listed twice' },
      { path: "routes.rules[2].name", message: '"HOT" is already the name of routes.rules[0]' },
      {
        path: "routes.rules[2].when",
        message: "unexpected end of expression at column 5: expected a value\na ==\n    ^",
      },
      {
        path: "routes.rules[3].name",
        message: '"Default" is reserved for rows no rule matches: pick another name',
      },
      {
        path: "routes.default",
        message: 'no sink named "nowhere" (sinks: crm, sequencer, warehouse)',
      },
    ]);
    expect(error.message).toBe(
      [
        "the routes do not compile (7 problems):",
        '  routes.rules[0].when: unexpected "=" at column 21: expected a value',
        "    icp_score >= 80 and = 3",
        "                        ^",
        '  routes.rules[0].to: no sink named "x" (sinks: crm, sequencer, warehouse)',
        '  routes.rules[1].to: "sequencer" is listed twice',
        '  routes.rules[2].name: "HOT" is already the name of routes.rules[0]',
        "  routes.rules[2].when: unexpected end of expression at column 5: expected a value",
        "    a ==",
        "        ^",
        '  routes.rules[3].name: "Default" is reserved for rows no rule matches: pick another name',
        '  routes.default: no sink named "nowhere" (sinks: crm, sequencer, warehouse)',
      ].join("\n"),
    );
  });

  it("says so when no sinks are configured", () => {
    const error = compileError(routes({ rules: [{ name: "a", when: "x", to: ["crm"] }] }), []);
    expect(error.message).toBe(
      'the routes do not compile (1 problem):\n  routes.rules[0].to: no sink named "crm" (no sinks are configured)',
    );
  });

  it("accepts the config once every problem is fixed", () => {
    expect(() => compileRoutes(routes({ rules: RULES, default: ["crm"] }), SINKS)).not.toThrow();
  });
});

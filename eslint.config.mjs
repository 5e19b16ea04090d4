// Lint that keeps the structure (README "Architecture", CONTRIBUTING.md): layers import downwards
// only, no import cycles, and a domain reaches another only through its service or public index.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import importX, { createNodeResolver } from "eslint-plugin-import-x";

// Folders in import order (DESIGN §9); a folder may import only from earlier ones. Folders on one
// line are peers and may not import each other.
const LAYERS = [
  ["src/config.ts"],
  ["src/kernel"],
  ["src/modules/catalog"],
  ["src/auth"],
  ["src/modules/people"],
  ["src/modules/consent"],
  ["src/modules/decisions", "src/modules/sharing"],
  ["src/modules/policy", "src/modules/rights", "src/modules/breach", "src/modules/audit"],
  ["src/app"],
  ["src/http", "src/cli"],
  ["src/main.ts"],
];
const MODULES = LAYERS.flat().filter((folder) => folder.startsWith("src/modules/"));
// What one domain may import of another: its service(s) and its public index of types.
const PUBLIC = ["index.ts", "*.service.ts"];

const layerZones = LAYERS.flatMap((layer, i) =>
  layer.map((target) => ({
    target: `./${target}`,
    from: [...LAYERS.slice(i + 1).flat(), ...layer.filter((peer) => peer !== target)].map((f) => `./${f}`),
    message: `${target} sits below these in the layers (kernel → catalog → auth → people → consent → decisions/sharing → policy/rights/breach/audit → app → http/cli → main): import downwards only.`,
  })),
).filter((zone) => zone.from.length > 0);
const serviceZones = MODULES.flatMap((target) =>
  MODULES.filter((other) => other !== target).map((other) => ({
    target: `./${target}`,
    from: `./${other}/**`,
    except: PUBLIC.map((file) => `**/${other}/${file}`),
    message: `A domain reaches another only through its service or its index (${other}/index.ts, *.service.ts), never its entities, loaders or helpers.`,
  })),
);

export default tseslint.config(
  {
    ignores: [
      "dist/**",
      "node_modules/**",
      "data/**",
      "coverage/**",
      "clients/web/dist/**",
      "clients/js/src/generated/**",
      "test-artifacts/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    plugins: { "import-x": importX },
    settings: {
      "import-x/resolver-next": [createNodeResolver({ extensions: [".ts", ".js", ".json"] })],
      "import-x/extensions": [".ts", ".js"],
      "import-x/parsers": { "@typescript-eslint/parser": [".ts"] },
    },
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" },
      ],
      "@typescript-eslint/no-empty-object-type": ["error", { allowInterfaces: "always" }],
      "@typescript-eslint/no-namespace": ["error", { allowDeclarations: true }],
      "import-x/no-cycle": ["error", { ignoreExternal: true }],
      "import-x/no-self-import": "error",
      "import-x/no-useless-path-segments": "error",
      "import-x/no-restricted-paths": ["error", { zones: [...layerZones, ...serviceZones] }],
    },
  },
  {
    files: ["**/*.js", "**/*.mjs", "bin/**"],
    languageOptions: {
      globals: {
        require: "readonly",
        module: "writable",
        process: "readonly",
        __dirname: "readonly",
        console: "readonly",
      },
    },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);

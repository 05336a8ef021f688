import { fileURLToPath } from "node:url";
const soljson = fileURLToPath(new URL("./node_modules/solc/soljson.js", import.meta.url));
export default {
  solidity: {
    version: "0.8.28",
    path: soljson,
    settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: "cancun" },
  },
  paths: { sources: "./contracts", artifacts: "./build/hardhat/artifacts", cache: "./build/hardhat/cache" },
};

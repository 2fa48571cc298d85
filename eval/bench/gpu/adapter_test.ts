import assert from "node:assert/strict";
import { softwareReason } from "./adapter.ts";

Deno.test("softwareReason() names llvmpipe, lavapipe, SwiftShader and fallback adapters", () => {
  const software = [
    { vendor: "65541", device: "0", description: "llvmpipe (LLVM 15.0.6, 256 bits)" },
    { vendor: "65541", device: "0", description: "" }, // Mesa's vendor id alone
    { vendor: "4318", device: "0", description: "lavapipe" },
    { vendor: "6880", device: "49374", description: "" }, // 0x1ae0 / 0xc0de: SwiftShader
    { vendor: "0", device: "0", description: "Microsoft Basic Render Driver" },
    { vendor: "4318", device: "0", description: "x", isFallbackAdapter: true },
  ];
  for (const a of software) assert.ok(softwareReason(a), JSON.stringify(a));
});

Deno.test("softwareReason() accepts a hardware NVIDIA, AMD or Intel adapter", () => {
  const hardware = [
    { vendor: "4318", device: "8997", description: "NVIDIA H200", architecture: "" },
    { vendor: "4098", device: "29772", description: "AMD Radeon RX 7900 XTX (RADV NAVI31)" },
    { vendor: "32902", device: "42880", description: "Intel(R) Arc(tm) A770 Graphics (DG2)" },
    { vendor: "6880", device: "1", description: "Google GPU" }, // Google's vendor, not SwiftShader
  ];
  for (const a of hardware) assert.equal(softwareReason(a), undefined, JSON.stringify(a));
});

import { benchStepTest } from "./_bench_test_utils.ts";

for (const mode of ["train", "distill"]) benchStepTest(mode);

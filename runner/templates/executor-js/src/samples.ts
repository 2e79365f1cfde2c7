// The cells the conformance kit runs (docs/conformance-samples.md): kernelkit's JavaScript
// samples, declared here so that `kernelkit conformance __NAME__` and the test use the same ones.
import { javascriptSamples, type LanguageSamples } from "@kernelkit/conformance/cases";

const samples: LanguageSamples = { ...javascriptSamples };

export default samples;

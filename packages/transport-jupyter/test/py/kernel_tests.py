# jupyter_kernel_test against kernelkit's three kernelspecs, with every sample attribute set.
# Run by kernel-tests.test.ts with Debian's Python; kernelspecs come from JUPYTER_PATH.
#
# Attributes set for each kernel (jupyter_kernel_test 0.4.5 skips a test whose attribute is
# empty, so each one below is filled in): kernel_name, language_name, file_extension,
# code_hello_world, code_stderr, completion_samples, complete_code_samples,
# incomplete_code_samples, invalid_code_samples, code_generate_error, code_execute_result,
# code_display_data, code_history_pattern, supported_history_operations, code_inspect_sample,
# code_clear_output, code_page_something.
import sys
import unittest

import jupyter_kernel_test as jkt


class KernelkitJavaScript(jkt.KernelTests):
    kernel_name = "kernelkit-javascript"
    language_name = "javascript"
    file_extension = ".js"
    code_hello_world = "console.log('hello, world')"
    code_stderr = "console.error('to stderr')"
    completion_samples = [{"text": "Math.ab", "matches": {"abs"}}]
    complete_code_samples = ["const x = 1", "console.log(1)"]
    incomplete_code_samples = ["function f() {", "const s = `a ${"]
    invalid_code_samples = ["const x = );"]
    code_generate_error = "throw new Error('boom')"
    code_execute_result = [{"code": "6*7", "result": "42"}, {"code": "'a'.repeat(2)", "result": "'aa'"}]
    code_display_data = [{"code": "display.html('<b>bold</b>')", "mime": "text/html"}]
    code_history_pattern = "6*?"
    supported_history_operations = ("tail", "range", "search")
    code_inspect_sample = "Math.max"
    code_clear_output = "console.log('gone'); clearOutput()"
    code_page_something = "page('kernelkit pages text like IPython')"


class KernelkitTypeScript(KernelkitJavaScript):
    kernel_name = "kernelkit-typescript"
    language_name = "typescript"
    file_extension = ".ts"
    complete_code_samples = ["const x: number = 1", "interface A { a: string }"]
    incomplete_code_samples = ["function f(a: number) {", "const total ="]
    invalid_code_samples = ["const x: = 1;"]
    code_execute_result = [{"code": "6*7", "result": "42"}, {"code": "('a' as string).repeat(2)", "result": "'aa'"}]


class KernelkitPython(jkt.KernelTests):
    kernel_name = "kernelkit-python"
    language_name = "python"
    file_extension = ".py"
    code_hello_world = "print('hello, world')"
    code_stderr = "import sys; print('to stderr', file=sys.stderr)"
    completion_samples = [{"text": "str.isdeci", "matches": {"isdecimal"}}]
    complete_code_samples = ["x = 1", "print(1)"]
    incomplete_code_samples = ["def f():", "for i in range(3):"]
    invalid_code_samples = ["x = )"]
    code_generate_error = "raise ValueError('boom')"
    code_execute_result = [{"code": "6*7", "result": "42"}, {"code": "'a' * 2", "result": "'aa'"}]
    code_display_data = [{"code": "display({'text/html': '<b>bold</b>', 'text/plain': 'bold'}, raw=True)", "mime": "text/html"}]
    code_history_pattern = "6*?"
    supported_history_operations = ("tail", "range", "search")
    code_inspect_sample = "print"
    code_clear_output = "print('gone'); clear_output()"
    code_page_something = "page('kernelkit pages text like IPython')"


class Result(unittest.TextTestResult):
    pass


if __name__ == "__main__":
    names = sys.argv[1:]
    loader = unittest.TestLoader()
    suite = unittest.TestSuite(loader.loadTestsFromTestCase(globals()[n]) for n in names)
    runner = unittest.TextTestRunner(verbosity=2, stream=sys.stdout)
    result = runner.run(suite)
    # A skipped test counts as a failure here: every attribute is set, so none may skip.
    ok = result.wasSuccessful() and not result.skipped
    print(f"KERNEL_TESTS ran={result.testsRun} failures={len(result.failures)} errors={len(result.errors)} skipped={len(result.skipped)}")
    sys.exit(0 if ok else 1)

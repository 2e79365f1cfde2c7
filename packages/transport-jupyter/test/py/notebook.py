# nbclient executes a notebook with one kernelspec, then nbformat validates the result.
# Usage: notebook.py KERNEL_NAME OUT.ipynb [cells.json]. Prints one JSON line: per cell, its
# output types and texts.
import json
import os
import sys

import nbformat
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

name, out = sys.argv[1], sys.argv[2]
py = name.endswith("python")
RAISES = {"tags": ["raises-exception"]}

if len(sys.argv) > 3:
    with open(sys.argv[3]) as f:
        cells = [new_code_cell(c) for c in json.load(f)]
elif py:
    cells = [
        new_code_cell("print('hello from python')"),
        new_code_cell("6 * 7"),
        new_code_cell("display({'text/html': '<b>bold</b>', 'text/plain': 'bold'}, raw=True)"),
        new_code_cell("raise ValueError('boom')", metadata=RAISES),
        new_code_cell("name = input('name? ')", metadata=RAISES),
        new_code_cell("print('still running')"),
    ]
else:
    cells = [
        new_code_cell("console.log('hello from js')"),
        new_code_cell("6 * 7"),
        new_code_cell("display.html('<b>bold</b>')"),
        new_code_cell("throw new Error('boom')", metadata=RAISES),
        new_code_cell("console.log(await prompt('name? '))"),
        new_code_cell("console.log('still running')"),
    ]

nb = new_notebook(cells=cells)
nb.metadata["kernelspec"] = {"name": name, "display_name": name, "language": "python" if py else "javascript"}
# The kernel starts in this process's folder (nbclient's resources path), as nbconvert does for
# the notebook's folder.
client = NotebookClient(nb, kernel_name=name, timeout=60, startup_timeout=60, resources={"metadata": {"path": os.getcwd()}})
client.execute()
nbformat.validate(nb)
nbformat.write(nb, out)


def text(o):
    if o["output_type"] == "stream":
        return o["text"]
    if o["output_type"] == "error":
        return o["ename"] + ": " + o["evalue"]
    data = o.get("data", {})
    return data.get("text/html") or data.get("text/plain")


summary = [[{"type": o["output_type"], "text": text(o)} for o in c.outputs] for c in nb.cells]
print(json.dumps({"cells": summary, "counts": [c.execution_count for c in nb.cells]}), flush=True)

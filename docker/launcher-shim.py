"""Flex Template launcher shim.

Dataflow starts a launcher image by its template's sdkInfo.language, and accepts only JAVA, PYTHON, GO and YAML.
Google's Python launcher (the base image) runs the file named by FLEX_TEMPLATE_PYTHON_PY_FILE with the template
parameters and Dataflow's options as --name=value arguments. This file is that script: it replaces itself with Node
on the bundled TypeScript entry point, arguments unchanged. execv keeps the process id, so Node's output, exit code
and signals are the launcher's own.
"""
import os
import sys

ENTRY_POINT = os.environ.get("ROX_TEMPLATE_MAIN", "/template/template-main.js")

os.execvp("node", ["node", ENTRY_POINT, *sys.argv[1:]])

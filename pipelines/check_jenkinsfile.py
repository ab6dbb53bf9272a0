"""Check the Jenkinsfile: Groovy's own parser for the syntax, then the declarative structure.

Groovy (from Maven Central) compiles the file to its CONVERSION phase, which rejects any syntax
error; the structural checks then ask for `pipeline`, `agent`, `stages`, and that every `sh`
step calls `./dev` (the pipelines run nox sessions, never copies of their commands).
A Jenkins server's own declarative linter is not available offline; this is what can be checked.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

GROOVY_CHECK = """
import org.codehaus.groovy.control.*
def unit = new CompilationUnit()
unit.addSource(new File(args[0]))
unit.compile(Phases.CONVERSION)
println "groovy: syntax ok"
"""


def groovy_syntax(jenkinsfile: Path, groovy_jar: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "check.groovy"
        script.write_text(GROOVY_CHECK)
        subprocess.run(
            ["java", "-cp", str(groovy_jar), "groovy.ui.GroovyMain", str(script), str(jenkinsfile)],
            check=True,
        )


def structure(text: str) -> list[str]:
    problems = []
    for needed in ("pipeline {", "agent ", "stages {", "steps {"):
        if needed not in text:
            problems.append(f"missing {needed.strip()!r}")
    for command in re.findall(r"sh\s+'([^']*)'", text):
        if not command.startswith("./dev "):
            problems.append(f"sh step {command!r} does not call ./dev (a nox session)")
    if text.count("{") != text.count("}"):
        problems.append("unbalanced braces")
    return problems


def main(argv: list[str]) -> int:
    jenkinsfile, groovy_jar = Path(argv[0]), Path(argv[1])
    try:
        groovy_syntax(jenkinsfile, groovy_jar)
    except subprocess.CalledProcessError:
        print(f"{jenkinsfile}: Groovy could not parse it (see the error above)", file=sys.stderr)
        return 1
    problems = structure(jenkinsfile.read_text())
    for problem in problems:
        print(f"{jenkinsfile}: {problem}", file=sys.stderr)
    if not problems:
        print("jenkinsfile: declarative structure ok")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

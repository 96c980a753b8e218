import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_env_example_documents_every_variable_the_settings_read():
    settings_source = (ROOT / "qatif_partnerships/settings.py").read_text()
    read = set(re.findall(r'env_\w+\(\s*"([A-Z_]+)"', settings_source))
    documented = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    assert read, "no env_* calls found: the pattern is out of date"
    assert read - documented == set()

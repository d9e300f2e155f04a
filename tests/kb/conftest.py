from pathlib import Path
from typing import Dict

import pytest


def write_article(
    folder: Path,
    language: str,
    article_id: str,
    title: str,
    answer: str,
    body: str = "More text.",
    tags: str = "[]",
    questions: str = "[]",
) -> Path:
    path = folder / language / f"{article_id}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"---\nid: {article_id}\ntitle: {title}\ntags: {tags}\nquestions: {questions}\n---\n{answer}\n\n{body}\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def kb_folder(tmp_path) -> Path:
    """A small knowledge base: two articles in four languages."""
    articles: Dict[str, Dict[str, tuple]] = {
        "pt": {
            "free-trial": ("Teste grátis de 14 dias", "Você pode testar grátis por 14 dias."),
            "import-data": ("Como importar dados de um CSV", "Vá em Configurações > Importar dados."),
        },
        "es": {
            "free-trial": ("Prueba gratis de 14 días", "Puede probar gratis durante 14 días."),
            "import-data": ("Cómo importar datos desde un CSV", "Vaya a Configuración > Importar datos."),
        },
        "vi": {
            "free-trial": ("Dùng thử miễn phí 14 ngày", "Bạn có thể dùng thử miễn phí 14 ngày."),
            "import-data": ("Cách nhập dữ liệu từ tệp CSV", "Vào Cài đặt > Nhập dữ liệu."),
        },
        "zh": {
            "free-trial": ("14 天免费试用", "可以免费试用 14 天。"),
            "import-data": ("如何从 CSV 文件导入数据", "前往 设置 > 导入数据。"),
        },
    }
    for language, by_id in articles.items():
        for article_id, (title, answer) in by_id.items():
            write_article(tmp_path, language, article_id, title, answer)
    return tmp_path

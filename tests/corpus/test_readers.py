"""Readers: every fixture is generated in ``tmp_path``; no binary fixtures are committed."""

from __future__ import annotations

import codecs
import io
import unicodedata
import zipfile
from pathlib import Path

import docx
import fpdf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from odf.dc import Title
from odf.opendocument import OpenDocumentText
from odf.table import Table, TableCell, TableColumn, TableRow
from odf.text import H, List, ListItem, P

from diplocode.corpus.readers import RawDocument, ReadOptions, read, read_bytes
from diplocode.corpus.readers import html as html_reader
from diplocode.corpus.readers.text import decode_bytes
from diplocode.errors import DiplocodeError

RUSSIAN = (
    "Министерство иностранных дел Российской Федерации сообщает, что переговоры прошли "
    "в конструктивной атмосфере.\n"
    "Стороны обсудили вопросы двустороннего сотрудничества в области энергетики и торговли.\n"
    "Следующая встреча состоится в Москве в октябре."
)
CHINESE = (
    "中华人民共和国外交部发言人表示，双方就双边关系和共同关心的国际地区问题深入交换了意见。\n"
    "双方同意加强在贸易、能源和人文领域的合作。"
)
KAZAKH = "Қазақстан Республикасы мен Қытай арасындағы гуманитарлық ынтымақтастық."
ENGLISH = "The delegations met in Geneva — and agreed on a joint statement.\nSee § 4."


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def read_doc(path: Path, options: ReadOptions | None = None) -> RawDocument:
    return read(path, options)[1]


def assert_error(
    excinfo: pytest.ExceptionInfo[DiplocodeError], code: str, path: Path, hint: str
) -> None:
    """The code, the file's name and a fix hint are all in the message."""
    error = excinfo.value
    message = str(error)
    assert error.code == code, message
    assert message.startswith(f"[{code}]")
    assert path.name in message
    assert hint in error.fix
    assert error.fix in message


# --- text ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "raw", "encoding"),
    [
        pytest.param(ENGLISH, ENGLISH.encode("utf-8"), "utf-8", id="utf-8"),
        pytest.param(ENGLISH, codecs.BOM_UTF8 + ENGLISH.encode(), "utf-8-sig", id="utf-8-bom"),
        pytest.param(
            RUSSIAN,
            codecs.BOM_UTF16_LE + RUSSIAN.encode("utf-16-le"),
            "utf-16-le",
            id="utf-16-le-bom",
        ),
        pytest.param(RUSSIAN, RUSSIAN.encode("utf-16-le"), "utf-16-le", id="utf-16-le-no-bom"),
        pytest.param(RUSSIAN, RUSSIAN.encode("cp1251"), "cp1251", id="cp1251"),
        pytest.param(RUSSIAN, RUSSIAN.encode("koi8-r"), "koi8-r", id="koi8-r"),
        pytest.param(CHINESE, CHINESE.encode("gb18030"), "gb18030", id="gb18030"),
        pytest.param(KAZAKH, KAZAKH.encode("utf-8"), "utf-8", id="kazakh-utf-8"),
    ],
)
def test_text_encodings(tmp_path: Path, text: str, raw: bytes, encoding: str) -> None:
    doc = read_doc(write(tmp_path, "statement.txt", raw))
    assert doc.text == text
    assert codecs.lookup(doc.encoding or "").name == codecs.lookup(encoding).name
    assert doc.media_type == "text/plain"
    assert doc.blocks == [] and doc.pages == []


def test_text_is_nfc_with_unix_newlines(tmp_path: Path) -> None:
    doc = read_doc(write(tmp_path, "cafe.txt", "Cafe\u0301 talks\r\nend\rdone".encode()))
    assert doc.text == "Café talks\nend\ndone"


def test_markdown_kept_raw(tmp_path: Path) -> None:
    source = "# Communiqué\n\n*Both sides* agreed:\n\n- trade\n- energy\n"
    doc = read_doc(write(tmp_path, "notes.md", source.encode()))
    assert doc.text == source
    assert doc.media_type == "text/markdown"


def test_forced_encoding(tmp_path: Path) -> None:
    doc = read_doc(
        write(tmp_path, "ru.txt", RUSSIAN.encode("koi8-r")), ReadOptions(encoding="koi8-r")
    )
    assert doc.text == RUSSIAN
    assert doc.encoding == "koi8-r"


def test_forced_wrong_encoding_is_e004(tmp_path: Path) -> None:
    path = write(tmp_path, "ru.txt", RUSSIAN.encode("cp1251"))
    with pytest.raises(DiplocodeError) as excinfo:
        read(path, ReadOptions(encoding="utf-8"))
    assert_error(excinfo, "E004", path, "--encoding")
    assert "utf-8" in str(excinfo.value)


def test_unknown_forced_encoding_is_e004(tmp_path: Path) -> None:
    path = write(tmp_path, "en.txt", b"plain")
    with pytest.raises(DiplocodeError) as excinfo:
        read(path, ReadOptions(encoding="no-such-codec"))
    assert_error(excinfo, "E004", path, "--encoding")
    assert "no-such-codec" in str(excinfo.value)


@pytest.mark.parametrize(
    ("blob", "why"),
    [
        pytest.param(bytes(range(256)) * 8, "NUL", id="nul-bytes"),
        pytest.param(bytes(range(1, 32)) * 40 + b"some text", "control", id="control-chars"),
    ],
)
def test_binary_blob_is_e011(tmp_path: Path, blob: bytes, why: str) -> None:
    path = write(tmp_path, "blob.txt", blob)
    with pytest.raises(DiplocodeError) as excinfo:
        read(path)
    assert_error(excinfo, "E011", path, "Check the extension")
    assert why in str(excinfo.value)


@settings(max_examples=60, deadline=None)
@given(
    st.text(
        st.characters(
            exclude_categories=("Cc", "Cs"), exclude_characters="\ufeff", include_characters="\n\t"
        )
    )
)
def test_utf8_round_trips(text: str) -> None:
    decoded, encoding = decode_bytes(text.encode("utf-8"), Path("x.txt"), ReadOptions())
    assert decoded == unicodedata.normalize("NFC", text)
    assert encoding == "utf-8"


# --- PDF -----------------------------------------------------------------------------------

PAGE_SENTENCES = [
    "The ministers opened the first session on regional security.",
    "Trade and energy cooperation were discussed on the second day.",
    "A joint communique was adopted at the closing ceremony.",
]


def make_pdf(pages: list[str], password: str | None = None) -> bytes:
    pdf = fpdf.FPDF()
    pdf.set_font("Helvetica", size=12)
    for sentence in pages:
        pdf.add_page()
        if sentence:
            pdf.cell(0, 10, sentence)
        else:  # a page with graphics only, like a scan without OCR
            pdf.rect(20, 20, 50, 50)
    if password:
        # RC4: the AES methods need the optional 'cryptography' package.
        from fpdf.enums import EncryptionMethod

        pdf.set_encryption(
            owner_password="owner",
            user_password=password,
            encryption_method=EncryptionMethod.RC4,
        )
    return bytes(pdf.output())


def test_pdf_pages_map_exactly(tmp_path: Path) -> None:
    doc = read_doc(write(tmp_path, "talks.pdf", make_pdf(PAGE_SENTENCES)))
    assert doc.media_type == "application/pdf"
    assert [page_no for page_no, _, _ in doc.pages] == [1, 2, 3]
    for (_, start, end), sentence in zip(doc.pages, PAGE_SENTENCES, strict=True):
        page_text = doc.text[start:end]
        assert sentence in page_text
        assert all(other not in page_text for other in PAGE_SENTENCES if other != sentence)
    assert doc.text == "\n\n".join(doc.text[start:end] for _, start, end in doc.pages)


def test_pdf_empty_page_gets_empty_span(tmp_path: Path) -> None:
    sentences = [PAGE_SENTENCES[0], "", PAGE_SENTENCES[2]]
    doc = read_doc(write(tmp_path, "gap.pdf", make_pdf(sentences)))
    (_, s1, e1), (_, s2, e2), (_, s3, e3) = doc.pages
    assert s2 == e2 == e1 + 2
    assert s3 == e2 + 2
    assert doc.text[s1:e1] == PAGE_SENTENCES[0]
    assert doc.text[s3:e3] == PAGE_SENTENCES[2]


def test_pdf_without_text_layer_is_e009(tmp_path: Path) -> None:
    path = write(tmp_path, "scan.pdf", make_pdf(["", ""]))
    with pytest.raises(DiplocodeError) as excinfo:
        read(path)
    assert_error(excinfo, "E009", path, "OCR")
    assert "no text layer" in str(excinfo.value)
    assert "2 pages" in str(excinfo.value)


def test_encrypted_pdf_is_e006(tmp_path: Path) -> None:
    path = write(tmp_path, "secret.pdf", make_pdf(PAGE_SENTENCES[:1], password="s3cret"))
    with pytest.raises(DiplocodeError) as excinfo:
        read(path)
    assert_error(excinfo, "E006", path, "Remove the password")


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"%PDF-1.7\nthis is not really a PDF at all\n" * 20, id="garbage"),
        pytest.param(make_pdf(PAGE_SENTENCES)[:600], id="truncated"),
    ],
)
def test_unreadable_pdf_is_e005(tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path, "broken.pdf", data)
    with pytest.raises(DiplocodeError) as excinfo:
        read(path)
    assert_error(excinfo, "E005", path, "re-download")


# --- DOCX ----------------------------------------------------------------------------------


def make_docx(path: Path) -> list[str]:
    """A DOCX with a heading, two paragraphs and a 2x2 table; returns the expected blocks."""
    document = docx.Document()
    document.core_properties.title = "Joint Communiqué"
    document.add_heading("Joint Communiqué", level=1)
    document.add_paragraph("The parties reaffirmed their commitment to dialogue.")
    document.add_paragraph("They agreed to meet again in Astana.")
    table = document.add_table(rows=2, cols=2)
    for r, row in enumerate(table.rows):
        for c, cell in enumerate(row.cells):
            cell.text = f"R{r + 1}C{c + 1}"
    document.save(str(path))
    return [
        "Joint Communiqué",
        "The parties reaffirmed their commitment to dialogue.",
        "They agreed to meet again in Astana.",
        "R1C1 | R1C2",
        "R2C1 | R2C2",
    ]


def test_docx_blocks_in_document_order(tmp_path: Path) -> None:
    path = tmp_path / "communique.docx"
    expected = make_docx(path)
    doc = read_doc(path)
    assert [doc.text[start:end] for start, end in doc.blocks] == expected
    assert doc.text == "\n\n".join(expected)
    assert doc.title == "Joint Communiqué"


def test_docx_merged_cells_not_repeated(tmp_path: Path) -> None:
    document = docx.Document()
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate(table.rows):
        for c, cell in enumerate(row.cells):
            cell.text = f"{r}{c}"
    table.cell(0, 0).merge(table.cell(0, 1)).text = "wide"  # horizontal span
    table.cell(1, 2).merge(table.cell(2, 2)).text = "tall"  # vertical span
    path = tmp_path / "merged.docx"
    document.save(str(path))
    doc = read_doc(path)
    assert [doc.text[start:end] for start, end in doc.blocks] == [
        "wide | 02",
        "10 | 11 | tall",
        "20 | 21",
    ]


def test_truncated_docx_is_e007(tmp_path: Path) -> None:
    whole = tmp_path / "whole.docx"
    make_docx(whole)
    data = whole.read_bytes()
    path = write(tmp_path, "cut.docx", data[: len(data) // 2])
    with pytest.raises(DiplocodeError) as excinfo:
        read(path)
    assert_error(excinfo, "E007", path, "re-save")
    assert "DOCX" in str(excinfo.value)


def test_docx_without_document_part_is_e007(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    path = write(tmp_path, "hollow.docx", buffer.getvalue())
    with pytest.raises(DiplocodeError) as excinfo:
        read(path)
    assert_error(excinfo, "E007", path, "re-save")
    assert "word/document.xml" in str(excinfo.value)


def test_docx_zip_bomb_is_e008(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("word/media/padding.bin", bytes(30 * 1024 * 1024))
    path = write(tmp_path, "bomb.docx", buffer.getvalue())
    with pytest.raises(DiplocodeError) as excinfo:
        read(path, ReadOptions(max_expanded_mb=5))
    assert_error(excinfo, "E008", path, "raise the limit")
    assert excinfo.value.fields["expanded_mb"] > 29


# --- ODT -----------------------------------------------------------------------------------


def test_odt_text_in_order(tmp_path: Path) -> None:
    document = OpenDocumentText()
    document.meta.addElement(Title(text="Memorandum"))
    document.text.addElement(H(outlinelevel=1, text="Memorandum of Understanding"))
    document.text.addElement(P(text="The parties intend to cooperate on education."))
    items = List()
    item = ListItem()
    item.addElement(P(text="Student exchanges."))
    items.addElement(item)
    document.text.addElement(items)
    table = Table(name="T")
    table.addElement(TableColumn())
    row = TableRow()
    cell = TableCell()
    cell.addElement(P(text="Annex cell."))
    row.addElement(cell)
    table.addElement(row)
    document.text.addElement(table)
    document.text.addElement(P(text="Signed in two copies."))
    path = tmp_path / "memo.odt"
    document.save(str(path))

    doc = read_doc(path)
    expected = [
        "Memorandum of Understanding",
        "The parties intend to cooperate on education.",
        "Student exchanges.",
        "Annex cell.",
        "Signed in two copies.",
    ]
    assert [doc.text[start:end] for start, end in doc.blocks] == expected
    assert doc.title == "Memorandum"


def test_truncated_odt_is_e007(tmp_path: Path) -> None:
    document = OpenDocumentText()
    document.text.addElement(P(text="Some text."))
    whole = tmp_path / "whole.odt"
    document.save(str(whole))
    data = whole.read_bytes()
    path = write(tmp_path, "cut.odt", data[: len(data) // 2])
    with pytest.raises(DiplocodeError) as excinfo:
        read(path)
    assert_error(excinfo, "E007", path, "re-save")
    assert "ODT" in str(excinfo.value)


# --- HTML ----------------------------------------------------------------------------------

ARTICLE = [
    "The Ministers of Foreign Affairs met in Astana on 12 March to review the progress of "
    "bilateral relations and to discuss regional security in Central Asia.",
    "Both sides reaffirmed their commitment to the principles of sovereignty, territorial "
    "integrity and non-interference in internal affairs, and agreed to deepen trade and energy "
    "cooperation.",
    "The parties agreed to hold the next round of consultations in Beijing in the autumn, and "
    "to establish a joint working group on transport connectivity.",
]

PAGE = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Joint Statement | Ministry</title>
<style>body {{ color: red }} .banner::after {{ content: "STYLE-TEXT" }}</style>
<script>var tracker = "SCRIPT-TEXT-ONE";</script></head>
<body>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/news">Newsroom</a></li>
<li><a href="/contact">Contact us</a></li></ul></nav></header>
<div id="cookie-banner" class="cookie-consent">We use cookies to improve your experience.
<button>Accept all cookies</button></div>
<main><article>
<h1>Joint Statement on Strategic Cooperation</h1>
{"".join(f"<p>{paragraph}</p>" for paragraph in ARTICLE)}
</article></main>
<footer><p>Copyright 2024 Ministry of Foreign Affairs. All rights reserved.</p>
<a href="/privacy">Privacy policy</a></footer>
<script>document.write("SCRIPT-TEXT-TWO");</script>
</body></html>"""


def test_html_main_text_without_boilerplate(tmp_path: Path) -> None:
    doc = read_doc(write(tmp_path, "statement.html", PAGE.encode()))
    blocks = [doc.text[start:end] for start, end in doc.blocks]
    for paragraph in ARTICLE:
        assert paragraph in blocks
    for boilerplate in ("Newsroom", "Contact us", "cookies", "Copyright", "Privacy policy"):
        assert boilerplate not in doc.text
    for code in ("SCRIPT-TEXT", "tracker", "STYLE-TEXT", "color"):
        assert code not in doc.text
    assert doc.title and "Joint Statement" in doc.title
    assert doc.encoding == "utf-8"


XSS_PAGE = """<html><head><title>Notice</title><script>alert(1)</script></head><body>
<p>The embassy will be closed on Monday.</p>
<img src="x" onerror="alert('xss')"><script>alert(2)</script>
<p onclick="alert(3)">Consular services resume on Tuesday.</p></body></html>"""


def test_html_script_never_in_text(tmp_path: Path) -> None:
    doc = read_doc(write(tmp_path, "notice.htm", XSS_PAGE.encode()))
    assert "The embassy will be closed on Monday." in doc.text
    assert "Consular services resume on Tuesday." in doc.text
    assert "alert" not in doc.text and "onerror" not in doc.text and "xss" not in doc.text


def test_html_fallback_drops_scripts_and_chrome() -> None:
    blocks, title = html_reader._extract_fallback(
        "<html><head><title> Short  page </title><style>p{}</style></head><body>"
        "<nav>Menu</nav><header>Site</header><p>One <b>bold</b> line.</p><!-- note -->"
        "<script>alert(1)</script>Tail text<div>Two</div><footer>Foot</footer></body></html>"
    )
    assert blocks == ["One bold line.", "Tail text", "Two"]
    assert title == "Short page"


def test_html_declared_charset_wins(tmp_path: Path) -> None:
    page = (
        '<html><head><meta charset="windows-1251"></head><body><p>Мир и дружба.</p></body></html>'
    )
    doc = read_doc(write(tmp_path, "ru.html", page.encode("cp1251")))
    assert doc.text == "Мир и дружба."
    assert doc.encoding == "cp1251"


# --- dispatcher ----------------------------------------------------------------------------


def test_empty_file_is_e001(tmp_path: Path) -> None:
    path = write(tmp_path, "empty.txt", b"")
    with pytest.raises(DiplocodeError) as excinfo:
        read(path)
    assert_error(excinfo, "E001", path, "add it again")


def test_oversize_file_is_e002(tmp_path: Path) -> None:
    path = write(tmp_path, "big.txt", b"word " * 200)
    with pytest.raises(DiplocodeError) as excinfo:
        read(path, ReadOptions(max_file_mb=0.0001))
    assert_error(excinfo, "E002", path, "--max-file-mb")


def test_unknown_extension_is_e003(tmp_path: Path) -> None:
    path = write(tmp_path, "data.xyz", b"content")
    with pytest.raises(DiplocodeError) as excinfo:
        read(path)
    assert_error(excinfo, "E003", path, "Convert it")
    assert "xyz" in str(excinfo.value)


def test_whitespace_only_is_e009(tmp_path: Path) -> None:
    path = tmp_path / "blank.txt"
    with pytest.raises(DiplocodeError) as excinfo:
        read_bytes(b" \n\n\t ", path)
    assert_error(excinfo, "E009", path, "OCR")


def test_docx_reads_content_controls_and_tracked_changes(tmp_path: Path) -> None:
    """Text in content controls and insertions is read; deleted text is not."""
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    document = docx.Document()
    document.add_paragraph("Before.")
    body_xml = (
        f'<w:sdt xmlns:w="{w}"><w:sdtPr/><w:sdtContent>'
        "<w:p><w:r><w:t>Inside a content control.</w:t></w:r></w:p>"
        "</w:sdtContent></w:sdt>"
    )
    paragraph_xml = (
        f'<w:p xmlns:w="{w}"><w:r><w:t xml:space="preserve">Kept </w:t></w:r>'
        '<w:ins w:id="1" w:author="a"><w:r><w:t>inserted</w:t></w:r></w:ins>'
        '<w:del w:id="2" w:author="a"><w:r><w:delText>deleted</w:delText></w:r></w:del>'
        "<w:r><w:tab/><w:t>end.</w:t></w:r></w:p>"
    )
    body = document.element.body
    for xml in (body_xml, paragraph_xml):
        body.insert(len(body) - 1, etree.fromstring(xml))  # before w:sectPr
    path = tmp_path / "revisions.docx"
    document.save(str(path))
    doc = read_doc(path)
    assert [doc.text[start:end] for start, end in doc.blocks] == [
        "Before.",
        "Inside a content control.",
        "Kept inserted\tend.",
    ]

"""Documents of every format qa reads, made on the spot for the reader tests and benchmark.

Nothing binary is committed: each fixture is generated from a seed, so a test
states the exact words it then looks for, and the benchmark can make hundreds.
fpdf2 and python-docx are used here only, never by qa itself.
"""

from __future__ import annotations

import io
import random
from datetime import UTC, datetime
from email.message import EmailMessage
from html import escape

_WHO = ["The finance minister", "A spokeswoman for the port authority", "The city council", "Two senior officials",
        "The opposition leader", "Local residents", "The central bank", "Hospital managers", "The union", "Prosecutors"]
_DID = ["announced", "rejected", "delayed", "questioned", "approved", "defended", "criticised", "investigated"]
_WHAT = ["the new budget", "a plan to expand the harbour", "the rail freight contract", "higher school fees",
         "the water quality report", "a proposed curfew", "the audit of hospital waiting lists", "the fuel subsidy"]
_WHEN = ["on Monday", "on Tuesday", "last week", "after a long debate", "in a written statement", "late on Friday"]
_WHY = ["citing rising costs", "after protests in the capital", "saying the figures were incomplete",
        "as inflation reached {n} percent", "with {n} votes in favour", "despite warnings from {n} experts"]

BOILERPLATE = {
    "nav": "Home World Politics Business Sport",
    "cookie": "We use cookies to improve your experience. Accept all cookies",
    "ad": "Advertisement: Buy the new SuperPhone today for only $99",
    "more": "Storm batters coast as thousands lose power",
    "comment": "Reader123: This is a great outcome and long overdue for everyone",
    "footer": "Copyright The Daily Ledger. All rights reserved. Contact us",
}


def sentence(rng: random.Random) -> str:
    why = rng.choice(_WHY).format(n=rng.randint(2, 90))
    return f"{rng.choice(_WHO)} {rng.choice(_DID)} {rng.choice(_WHAT)} {rng.choice(_WHEN)}, {why}."


def paragraph(rng: random.Random, sentences: int = 3) -> str:
    return " ".join(sentence(rng) for _ in range(sentences))


# --- HTML -----------------------------------------------------------------------------------------

def news_page(seed: int = 0, *, title: str = "Council approves harbour budget after long debate",
              paragraphs: list[str] | None = None, site: str = "The Daily Ledger", author: str = "Jane Doe",
              published: str = "2024-03-05T08:00:00Z", modified: str = "2024-04-20T10:00:00Z",
              url: str = "https://ledger.example.com/politics/harbour-budget", charset: str = "utf-8") -> bytes:
    """A news article inside everything a news site puts around one."""
    rng = random.Random(seed)
    paragraphs = paragraphs or [paragraph(rng, rng.randint(2, 4)) for _ in range(rng.randint(4, 7))]
    body = []
    for i, text in enumerate(paragraphs):
        body.append(f"<p>{escape(text)}</p>")
        if i == 1:
            body.append(f'<div class="ad advertisement" id="ad-slot-{seed}">{BOILERPLATE["ad"]}</div>')
        if i == 2 and seed % 3 == 0:
            body.append(f"<h2>{escape(rng.choice(_WHAT).capitalize())}</h2>")
    nav = "".join(f'<li><a href="/{w.lower()}">{w}</a></li>' for w in BOILERPLATE["nav"].split())
    more = "".join(f'<li><a href="/story/{seed}-{k}">{BOILERPLATE["more"] if k == 0 else sentence(rng)[:50]}</a></li>'
                   for k in range(4))
    page = f"""<!DOCTYPE html>
<html lang="en"><head>
<meta charset="{charset}">
<title>{escape(title)} | {escape(site)}</title>
<meta property="og:title" content="{escape(title)}">
<meta property="og:site_name" content="{escape(site)}">
<meta name="author" content="{escape(author)}">
<meta property="article:published_time" content="{published}">
<meta property="article:modified_time" content="{modified}">
<link rel="canonical" href="{url}">
<style>.ad {{ color: red }}</style><script>var tracking = "do not index me";</script>
</head><body>
<header class="site-header"><nav class="main-nav"><ul>{nav}</ul></nav></header>
<div id="cookie-banner" class="cookie-consent"><p>{BOILERPLATE["cookie"]}</p><button>OK</button></div>
<main><article class="story">
<h1>{escape(title)}</h1>
<p class="byline">By {escape(author)}</p>
{''.join(body)}
</article>
<aside class="related more-stories"><h3>More stories</h3><ul>{more}</ul></aside>
<section id="comments" class="comments"><h3>Comments</h3>
<div class="comment"><p>{BOILERPLATE["comment"]}</p></div></section>
</main>
<footer class="site-footer"><p>{BOILERPLATE["footer"]}</p></footer>
</body></html>"""
    return page.encode(charset)


# --- PDF ------------------------------------------------------------------------------------------

def pdf_report(pages: list[list[str]], *, header: str | None = "The Annual Report 2023 - Confidential",
               footer: bool = True, blank: frozenset[int] = frozenset(), labels: bool = False,
               title: str = "Annual report", author: str = "Ministry of Works",
               created: datetime = datetime(2023, 6, 7, 12, 0, tzinfo=UTC),
               user_password: str | None = None) -> bytes:
    """One page per list of paragraphs; pages numbered in `blank` (1-based) carry no text at all.

    With labels, the first two pages are labelled i, ii and the rest 1, 2, ...
    """
    from fpdf import FPDF

    class Report(FPDF):
        def header(self):
            if header and self.page_no() not in blank:
                self.set_font("helvetica", size=9)
                self.cell(0, 8, header, new_x="LMARGIN", new_y="NEXT")

        def footer(self):
            if footer and self.page_no() not in blank:
                self.set_y(-15)
                self.set_font("helvetica", size=9)
                self.cell(0, 8, f"Page {self.page_no()} of {{nb}}", align="C")

    pdf = Report()
    pdf.set_title(title)
    pdf.set_author(author)
    pdf.set_creation_date(created)
    if user_password is not None:
        pdf.set_encryption(owner_password="owner-secret", user_password=user_password)
    for number, paragraphs in enumerate(pages, start=1):
        pdf.add_page()
        if labels and number == 1:
            pdf.set_page_label("r")
        if labels and number == 3:
            pdf.set_page_label("D", None, 1)
        pdf.set_font("helvetica", size=11)
        if number not in blank:
            pdf.multi_cell(0, 6, "\n\n".join(paragraphs))
    return bytes(pdf.output())


def report_pages(count: int, seed: int = 0, per_page: int = 3) -> list[list[str]]:
    rng = random.Random(seed)
    return [[paragraph(rng, rng.randint(2, 4)) for _ in range(per_page)] for _ in range(count)]


# --- DOCX -----------------------------------------------------------------------------------------

def tiny_png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


_TEXTBOX = """<w:p xmlns:w="{w}" xmlns:mc="{mc}" xmlns:v="urn:schemas-microsoft-com:vml"
 xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
 xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"
 xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><w:r><mc:AlternateContent>
<mc:Choice Requires="wps"><w:drawing><wp:inline><wp:extent cx="10" cy="10"/><wp:docPr id="7" name="Text Box 1"/>
<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><wps:wsp><wps:txbx>
<w:txbxContent><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:txbxContent></wps:txbx></wps:wsp></a:graphicData></a:graphic>
</wp:inline></w:drawing></mc:Choice>
<mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:txbxContent>
</v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>"""
_CONTROL = """<w:sdt xmlns:w="{w}"><w:sdtPr><w:alias w:val="Summary"/></w:sdtPr><w:sdtContent><w:p><w:r><w:t>{text}</w:t></w:r></w:p>
</w:sdtContent></w:sdt>"""
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def docx_memo(paragraphs: list[str], *, inserted: str | None = None, deleted: str | None = None,
              textbox: str | None = None, control: str | None = None, link: tuple[str, str] | None = None,
              image_alt: str | None = None, header: str | None = None, footnote: str | None = None,
              title: str = "Budget memo",
              author: str = "Ana Ruiz", created: datetime = datetime(2022, 11, 3, 9, 30)) -> bytes:
    """A Word file; `inserted` and `deleted` become tracked changes inside the second paragraph,
    and `footnote` a footnote to the first."""
    import docx
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import OxmlElement, parse_xml
    from docx.oxml.ns import qn

    doc = docx.Document()
    doc.core_properties.title, doc.core_properties.author, doc.core_properties.created = title, author, created
    doc.add_heading(title, 1)
    for i, text in enumerate(paragraphs):
        p = doc.add_paragraph(text)
        if i == 1:
            for word, kind in ((inserted, "ins"), (deleted, "del")):
                if word:
                    run = p.add_run(f" {word}")._r
                    wrapper = OxmlElement(f"w:{kind}")
                    for key, value in (("w:id", str(len(kind) + i)), ("w:author", "Editor"), ("w:date", "2022-11-04T00:00:00Z")):
                        wrapper.set(qn(key), value)
                    run.addprevious(wrapper)
                    wrapper.append(run)
                    if kind == "del":
                        t = run.find(qn("w:t"))
                        t.tag = qn("w:delText")
        if i == 0 and link:
            rel = doc.part.relate_to(link[1], RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
            h = OxmlElement("w:hyperlink")
            h.set(qn("r:id"), rel)
            r, t = OxmlElement("w:r"), OxmlElement("w:t")
            t.text = f" {link[0]}"
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            r.append(t)
            h.append(r)
            p._p.append(h)
    if image_alt is not None:
        shape = doc.add_picture(io.BytesIO(tiny_png()))
        shape._inline.docPr.set("descr", image_alt)
    body = doc.element.body
    sect = body[-1]
    for template, text in ((_TEXTBOX, textbox), (_CONTROL, control)):
        if text:
            sect.addprevious(parse_xml(template.format(w=W, mc=MC, text=escape(text))))
    if header:
        doc.sections[0].header.paragraphs[0].text = header
    out = io.BytesIO()
    doc.save(out)
    return _with_footnote(out.getvalue(), footnote, after=paragraphs[0]) if footnote else out.getvalue()


def _with_footnote(data: bytes, text: str, after: str) -> bytes:
    """python-docx cannot write footnotes: add the part, its relationship and a reference by hand."""
    import zipfile

    ns = f'xmlns:w="{W}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    part = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes {ns}>'
            '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
            f'<w:footnote w:id="1"><w:p><w:r><w:t>{escape(text)}</w:t></w:r></w:p></w:footnote></w:footnotes>')
    edits = {
        "[Content_Types].xml": (b"</Types>", (b'<Override PartName="/word/footnotes.xml" ContentType="application/'
                                              b'vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/></Types>')),
        "word/_rels/document.xml.rels": (b"</Relationships>", (b'<Relationship Id="rIdFootnotes" Type="http://schemas.'
                                                               b'openxmlformats.org/officeDocument/2006/relationships/'
                                                               b'footnotes" Target="footnotes.xml"/></Relationships>')),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename in edits:
                content = content.replace(*edits[info.filename])
            if info.filename == "word/document.xml":  # the reference follows the run of `after`
                anchor = escape(after).encode() + b"</w:t></w:r>"
                content = content.replace(anchor, anchor + b'<w:r><w:footnoteReference w:id="1"/></w:r>', 1)
            target.writestr(info, content)
        target.writestr("word/footnotes.xml", part)
    return out.getvalue()


# --- E-mail ---------------------------------------------------------------------------------------

def eml_reply(*, plain: str, html: str | None = None, subject: str = "Re: Harbour budget vote",
              sender: str = "Ana Ruiz <ana@example.org>", date: str = "Tue, 05 Mar 2024 23:30:00 -0500",
              attachment: str | None = None) -> bytes:
    msg = EmailMessage()
    msg["Subject"], msg["From"], msg["To"], msg["Date"] = subject, sender, "desk@example.com", date
    msg.set_content(plain)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    if attachment:
        msg.add_attachment(b"%PDF-1.4\n", maintype="application", subtype="pdf", filename=attachment)
    return msg.as_bytes()


def eml_html_only(html: str, *, subject: str = "Harbour figures", sender: str = "bob@example.org",
                  date: str = "Wed, 06 Mar 2024 10:00:00 +0000") -> bytes:
    msg = EmailMessage()
    msg["Subject"], msg["From"], msg["To"], msg["Date"] = subject, sender, "desk@example.com", date
    msg.set_content(html, subtype="html")
    return msg.as_bytes()


def sample_reply(seed: int) -> bytes:
    rng = random.Random(seed)
    mine, theirs = paragraph(rng), paragraph(rng)
    plain = f"{mine}\n\nOn Mon, 4 Mar 2024, Bob wrote:\n> {theirs}\n> Can you confirm?\n\nAna\n"
    html = f"<html><body><p>{escape(mine)}</p><blockquote>{escape(theirs)}</blockquote></body></html>"
    return eml_reply(plain=plain, html=html, subject=f"Re: {sentence(rng)[:40]}")

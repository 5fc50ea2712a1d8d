"""Safe parsing and CDATA-correct rendering of WeChat XML."""

from __future__ import annotations

import pytest

from shequn.wechat.exceptions import MalformedXML, PayloadTooLarge
from shequn.wechat.xmlsafe import as_list, cdata, parse_xml, render_xml


def test_flat_packet_with_cdata_and_plain_text() -> None:
    fields = parse_xml(
        b"<xml><ToUserName><![CDATA[gh_1]]></ToUserName><CreateTime>1348831860</CreateTime>"
        b"<Content><![CDATA[a < b & c]]></Content><Empty></Empty></xml>"
    )
    assert fields == {
        "ToUserName": "gh_1",
        "CreateTime": "1348831860",
        "Content": "a < b & c",
        "Empty": "",
    }


def test_whitespace_inside_text_is_kept_and_between_elements_ignored() -> None:
    fields = parse_xml(
        "<xml>\n  <A><![CDATA[  two spaces ]]></A>\n  <B>\n    <C>x</C>\n  </B>\n</xml>"
    )
    assert fields == {"A": "  two spaces ", "B": {"C": "x"}}


def test_repeated_elements_become_lists() -> None:
    fields = parse_xml(
        b"<xml><Articles><item><Title>1</Title></item><item><Title>2</Title></item></Articles>"
        b"<MemChangeList><Item>a</Item></MemChangeList></xml>"
    )
    assert fields["Articles"] == {"item": [{"Title": "1"}, {"Title": "2"}]}
    assert fields["MemChangeList"] == {"Item": "a"}
    assert as_list(fields["MemChangeList"]["Item"]) == ["a"]


def test_as_list_normalises_the_three_shapes() -> None:
    assert as_list(None) == []
    assert as_list("") == []
    assert as_list("x") == ["x"]
    assert as_list({"a": "b"}) == [{"a": "b"}]
    assert as_list(["x", "y"]) == ["x", "y"]


def test_str_input_and_xml_declaration_and_bom() -> None:
    assert parse_xml('<?xml version="1.0" encoding="utf-8"?><xml><A>中</A></xml>') == {"A": "中"}
    assert parse_xml("\ufeff<xml><A>1</A></xml>".encode()) == {"A": "1"}


def test_entities_predefined_and_character_references_are_fine() -> None:
    assert parse_xml(b"<xml><A>&lt;&amp;&#20013;</A></xml>") == {"A": "<&中"}


def test_attributes_and_comments_are_ignored() -> None:
    assert parse_xml(b'<xml><!-- hi --><A kind="x">1</A></xml>') == {"A": "1"}


def test_root_without_children() -> None:
    assert parse_xml(b"<xml></xml>") == {}
    assert parse_xml(b"<xml>just text</xml>") == {}


def test_root_name_is_checked_unless_disabled() -> None:
    with pytest.raises(MalformedXML, match="root"):
        parse_xml(b"<html><A>1</A></html>")
    assert parse_xml(b"<html><A>1</A></html>", root=None) == {"A": "1"}


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<xml><A>&lol3;</A></xml>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<xml><A>&xxe;</A></xml>"""

PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY % remote SYSTEM "http://127.0.0.1:1/x.dtd"> %remote;]>
<xml/>"""

EXTERNAL_DTD = b'<?xml version="1.0"?><!DOCTYPE xml SYSTEM "http://127.0.0.1:1/x.dtd"><xml/>'


@pytest.mark.parametrize(
    "body",
    [
        BILLION_LAUGHS,
        XXE,
        PARAMETER_ENTITY,
        EXTERNAL_DTD,
        b"<!DOCTYPE xml><xml/>",
        b'<?xml-stylesheet href="x"?><xml/>',
        b"<xml><?php echo 1; ?></xml>",
        b"<xml>&undefined;</xml>",
    ],
    ids=[
        "billion-laughs",
        "xxe",
        "parameter-entity",
        "external-dtd",
        "bare-doctype",
        "pi-before-root",
        "pi-inside",
        "undefined-entity",
    ],
)
def test_dangerous_constructs_are_refused(body: bytes) -> None:
    with pytest.raises(MalformedXML):
        parse_xml(body)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not xml at all",
        b'{"json": true}',
        b"<xml><A>1</A>",
        b"<xml><A>1</B></xml>",
        b"<xml/><xml/>",
        b"<xml>\xff\xfe</xml>",
        "<xml>中</xml>".encode("gbk"),
        '<?xml version="1.0" encoding="GBK"?><xml>中</xml>'.encode("gbk"),
        b"<xml>\x00</xml>",
    ],
)
def test_malformed_input_raises_our_error(body: bytes) -> None:
    with pytest.raises(MalformedXML):
        parse_xml(body)


def test_lone_surrogate_in_str_input() -> None:
    with pytest.raises(MalformedXML, match="UTF-8"):
        parse_xml("<xml>\udcff</xml>")


def test_size_cap_is_enforced_before_parsing() -> None:
    body = b"<xml><A>" + b"a" * 100 + b"</A></xml>"
    assert parse_xml(body, max_bytes=len(body)) == {"A": "a" * 100}
    with pytest.raises(PayloadTooLarge):
        parse_xml(body, max_bytes=len(body) - 1)
    # Not even well-formed: the size check must come first.
    with pytest.raises(PayloadTooLarge):
        parse_xml(b"<" * (256 * 1024 + 1))


def test_nesting_cap() -> None:
    ok = b"<xml>" + b"<a>" * 15 + b"</a>" * 15 + b"</xml>"
    parse_xml(ok)
    deep = b"<xml>" + b"<a>" * 16 + b"</a>" * 16 + b"</xml>"
    with pytest.raises(MalformedXML, match="nesting"):
        parse_xml(deep)
    very_deep = b"<xml>" + b"<a>" * 50_000 + b"</a>" * 50_000 + b"</xml>"
    with pytest.raises(MalformedXML):
        parse_xml(very_deep, max_bytes=10**6)


# -- rendering -----------------------------------------------------------------------------


def test_render_strings_ints_nested_and_lists() -> None:
    xml = render_xml(
        {
            "ToUserName": "o1",
            "CreateTime": 12345678,
            "Image": {"MediaId": "m1"},
            "Articles": {"item": [{"Title": "a"}, {"Title": "b"}]},
            "Skipped": None,
        }
    )
    assert xml == (
        "<xml><ToUserName><![CDATA[o1]]></ToUserName><CreateTime>12345678</CreateTime>"
        "<Image><MediaId><![CDATA[m1]]></MediaId></Image>"
        "<Articles><item><Title><![CDATA[a]]></Title></item>"
        "<item><Title><![CDATA[b]]></Title></item></Articles></xml>"
    )


@pytest.mark.parametrize("text", ["]]>", "a]]>b]]>c", "]]]]>", "]]", "<![CDATA[x]]>", "]", ">"])
def test_cdata_terminators_are_split_and_round_trip(text: str) -> None:
    assert parse_xml(render_xml({"A": text})) == {"A": text}


def test_characters_xml_cannot_carry_are_dropped() -> None:
    assert cdata("a\x00b\x08c\udcffd\ufffee") == "<![CDATA[abcde]]>"
    assert parse_xml(render_xml({"A": "tab\tok\x01"})) == {"A": "tab\tok"}


@pytest.mark.parametrize("name", ["", "1abc", "a b", "a<b", "xml>"])
def test_invalid_element_names(name: str) -> None:
    with pytest.raises(ValueError, match="element name"):
        render_xml({name: "x"})


@pytest.mark.parametrize("value", [True, 1.5, b"bytes", object()])
def test_unsupported_values(value: object) -> None:
    with pytest.raises(TypeError):
        render_xml({"A": value})


def test_non_string_keys() -> None:
    with pytest.raises(TypeError, match="element names"):
        render_xml({"A": {1: "x"}})


def test_custom_root() -> None:
    assert render_xml({"A": 1}, root="root") == "<root><A>1</A></root>"

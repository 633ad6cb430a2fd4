package dev.claudetelemetry.policy.interpreters;

/**
 * The backslash escapes of a string literal as Python, JavaScript, Perl, Ruby and PHP share them:
 * n, t and r; up to three octal digits; x, u and U followed by up to 2, 4 or 8 hex digits; a
 * backslash before a newline joins the lines; any other escaped character stands for itself.
 */
final class BackslashEscapes {

  private BackslashEscapes() {}

  static String unescape(String text) {
    if (text.indexOf('\\') < 0) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c != '\\' || i + 1 >= text.length()) {
        out.append(c);
        continue;
      }
      char e = text.charAt(++i);
      switch (e) {
        case 'n' -> out.append('\n');
        case 't' -> out.append('\t');
        case 'r' -> out.append('\r');
        case '0', '1', '2', '3', '4', '5', '6', '7' -> {
          int end = i;
          while (end < text.length()
              && end < i + 3
              && text.charAt(end) >= '0'
              && text.charAt(end) <= '7') {
            end++;
          }
          out.append((char) Integer.parseInt(text.substring(i, end), 8));
          i = end - 1;
        }
        case 'x', 'u', 'U' -> {
          int digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
          int end = i + 1;
          while (end < text.length()
              && end < i + 1 + digits
              && Character.digit(text.charAt(end), 16) >= 0) {
            end++;
          }
          if (end == i + 1) {
            out.append('\\').append(e);
          } else {
            int code = Integer.parseInt(text.substring(i + 1, end), 16);
            if (Character.isValidCodePoint(code)) {
              out.appendCodePoint(code);
            }
            i = end - 1;
          }
        }
        case '\n' -> {}
        default -> out.append(e);
      }
    }
    return out.toString();
  }
}

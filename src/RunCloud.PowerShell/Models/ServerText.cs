using System.Globalization;
using System.Text;

namespace RunCloud.PowerShell.Models
{
    /// <summary>
    /// Text that came from the server, made safe to show: every control character (C0 including TAB, CR, LF and ESC,
    /// DEL, and C1) becomes a visible escape such as \x1B, so no answer can move the cursor, recolour the terminal,
    /// set its title or forge a line in a log. Json.Str reads every server string through it (so objects, hence format
    /// views and scripts, hold the escaped text), and so does every string the module writes.
    /// </summary>
    internal static class ServerText
    {
        public static bool HasControl(string? text)
        {
            if (text == null) return false;
            foreach (char c in text)
            {
                if (IsControl(c)) return true;
            }

            return false;
        }

        public static string Escape(string? text)
        {
            if (text == null) return string.Empty;
            if (!HasControl(text)) return text;
            var sb = new StringBuilder(text.Length + 16);
            foreach (char c in text)
            {
                if (IsControl(c)) sb.Append("\\x").Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
                else sb.Append(c);
            }

            return sb.ToString();
        }

        private static bool IsControl(char c) => c < 0x20 || (c >= 0x7F && c <= 0x9F);
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace RunCloud.PowerShell.Commands.Scheduling
{
    /// <summary>
    /// How one argument is written for each reader of a scheduled command line, so each reader hands the program exactly
    /// the argument given: PowerShell (single quotes), POSIX sh (cron), systemd's ExecStart= (systemd.syntax(7): quotes,
    /// C escapes, $ and % doubled), and the Windows command line Task Scheduler passes (CommandLineToArgvW's rules).
    /// A line break can be represented by none of them safely, so it is refused by the caller.
    /// </summary>
    internal static class Quoting
    {
        /// <summary>A PowerShell single-quoted string literal: only ' needs doubling.</summary>
        public static string PowerShell(string value) => "'" + value.Replace("'", "''") + "'";

        /// <summary>
        /// POSIX sh: bare when only safe characters, else single quotes (a ' becomes '\''). For cron the caller also escapes
        /// % (cron turns a bare % into a line break).
        /// </summary>
        public static string Posix(string value)
        {
            if (value.Length > 0 && value.All(c => char.IsLetterOrDigit(c) || "/._-+=:@,".IndexOf(c) >= 0)) return value;
            return "'" + value.Replace("'", "'\\''") + "'";
        }

        /// <summary>
        /// One word of a systemd ExecStart= line: bare when only safe characters, else double-quoted with \ and " escaped;
        /// $ is written $$ (no environment substitution) and % is written %% (no specifier expansion) in either form.
        /// </summary>
        public static string Systemd(string value)
        {
            string escaped = value.Replace("%", "%%").Replace("$", "$$");
            if (escaped.Length > 0 && escaped.All(c => char.IsLetterOrDigit(c) || "/._-+=:@,%$".IndexOf(c) >= 0)) return escaped;
            return "\"" + escaped.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
        }

        /// <summary>
        /// One argument of a Windows command line as CommandLineToArgvW (and .NET) splits it: quoted when it holds a space,
        /// tab or quote; a quote is \"; backslashes are doubled only where they precede a quote (or the closing quote).
        /// </summary>
        public static string Windows(string value)
        {
            if (value.Length > 0 && value.IndexOfAny(new[] { ' ', '\t', '"' }) < 0) return value;
            var sb = new StringBuilder("\"");
            int slashes = 0;
            foreach (char c in value)
            {
                if (c == '\\')
                {
                    slashes++;
                    continue;
                }

                if (c == '"')
                {
                    sb.Append('\\', slashes * 2 + 1).Append('"');
                }
                else
                {
                    sb.Append('\\', slashes).Append(c);
                }

                slashes = 0;
            }

            sb.Append('\\', slashes * 2).Append('"');
            return sb.ToString();
        }

        /// <summary>The arguments of a Windows command line joined with single spaces.</summary>
        public static string WindowsLine(IEnumerable<string> arguments) => string.Join(" ", arguments.Select(Windows));

        /// <summary>True when a value holds a character no command line of a scheduler may carry (a line break or another control character).</summary>
        public static bool HasControl(string value) => value.Any(char.IsControl);
    }
}

using System;
using System.Globalization;
using System.IO;
using System.Text;

namespace RunCloud.PowerShell.Commands.Scheduling
{
    /// <summary>
    /// The log of unattended runs: one line per event (<c>2026-01-05T10:20:00+00:00 INFO  message</c>), appended and flushed
    /// line by line, so a run killed half-way leaves every line before it. When the file is larger than the size limit at
    /// the start of a run it is rotated (sync.log -> sync.log.1 -> ... -> sync.log.&lt;keep&gt;, the oldest dropped). Two runs
    /// at once append to the same file (each line is one write); a rotation another run already made is not an error. A
    /// line never spans two lines: control characters in a message are escaped. The caller masks secrets first.
    /// </summary>
    internal sealed class RotatingLog : IDisposable
    {
        private static readonly UTF8Encoding s_utf8 = new UTF8Encoding(false);
        private readonly long _maxBytes;
        private readonly int _keep;
        private readonly Func<DateTimeOffset> _now;
        private FileStream? _stream;

        public RotatingLog(string path, long maxBytes, int keep, Func<DateTimeOffset>? now = null)
        {
            Path = path;
            _maxBytes = maxBytes;
            _keep = keep;
            _now = now ?? (() => DateTimeOffset.Now);
        }

        public string Path { get; }

        /// <summary>Rotates when due and opens the file for appending; the message of what it throws says what is wrong with the path.</summary>
        public void Open()
        {
            if (Directory.Exists(Path)) throw new IOException("is a directory, not a file.");
            string? folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path));
            if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder!);
            var info = new FileInfo(Path);
            if (info.Exists && info.Length > _maxBytes) Rotate();
            _stream = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        }

        private void Rotate()
        {
            TryDelete($"{Path}.{_keep}");
            for (int i = _keep - 1; i >= 1; i--)
            {
                TryMove($"{Path}.{i}", $"{Path}.{i + 1}");
            }

            TryMove(Path, Path + ".1");
        }

        /// <summary>A file another run moved or deleted a moment ago is simply gone: rotation goes on.</summary>
        private static void TryMove(string from, string to)
        {
            try
            {
                if (!File.Exists(from)) return;
                if (File.Exists(to)) File.Delete(to);
                File.Move(from, to);
            }
            catch (FileNotFoundException)
            {
            }
        }

        private static void TryDelete(string path)
        {
            try
            {
                File.Delete(path);
            }
            catch (DirectoryNotFoundException)
            {
            }
        }

        /// <summary>Appends one line (level INFO, WARN or ERROR) and flushes it.</summary>
        public string Write(string level, string message)
        {
            string line = string.Format(CultureInfo.InvariantCulture, "{0:yyyy-MM-ddTHH:mm:sszzz} {1,-5} {2}", _now(), level, OneLine(message));
            if (_stream != null)
            {
                byte[] bytes = s_utf8.GetBytes(line + "\n");
                _stream.Write(bytes, 0, bytes.Length);
                _stream.Flush();
            }

            return line;
        }

        internal static string OneLine(string text)
        {
            var sb = new StringBuilder(text.Length);
            foreach (char c in text.TrimEnd())
            {
                if (c == '\r') continue;
                if (c == '\n' || c == '\t') sb.Append(' ');
                else if (char.IsControl(c)) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                else sb.Append(c);
            }

            return sb.ToString();
        }

        public void Dispose()
        {
            _stream?.Dispose();
            _stream = null;
        }
    }
}

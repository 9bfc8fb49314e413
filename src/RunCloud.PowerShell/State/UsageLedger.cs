using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using Newtonsoft.Json;

namespace RunCloud.PowerShell.State
{
    /// <summary>
    /// The API calls each account sent, per calendar month (UTC), per day and per web app, in the state folder:
    ///   &lt;state folder&gt;/usage/&lt;API host&gt;-&lt;account&gt;-&lt;yyyy&gt;-&lt;MM&gt;.json   (see <see cref="UsageMonth"/>)
    ///   &lt;same&gt;.lock                                                      (taken while adding)
    /// <see cref="Add"/> is a read-modify-write under the file's cross-process lock (FileShare.None, released by the OS when
    /// the process dies), written to a new temporary file and renamed over the month's file, so two processes adding at
    /// once both count and a crash leaves the old or the new file, never a torn one. A month file that cannot be parsed
    /// is set aside (renamed *.unreadable-&lt;ticks&gt;.json, kept for a person) and counting starts again, rather than
    /// stopping every later count. No file is read or written through a link.
    /// </summary>
    internal sealed class UsageLedger
    {
        public const string FolderName = "usage";

        private readonly string _stateFolder;
        private readonly string? _stateHome;

        /// <param name="stateFolder">The state folder (absolute); the ledger is its "usage" sub-folder.</param>
        /// <param name="stateHome">The conventional state home above it (checked like it), or null.</param>
        public UsageLedger(string stateFolder, string? stateHome = null)
        {
            if (string.IsNullOrWhiteSpace(stateFolder) || !Path.IsPathRooted(stateFolder)) throw new ArgumentException("The state folder must be an absolute path.", nameof(stateFolder));
            _stateFolder = stateFolder;
            _stateHome = stateHome;
        }

        /// <summary>The ledger in the user's state folder.</summary>
        public static UsageLedger Default()
        {
            string folder = StateFolder.Resolve(out string? stateHome);
            return new UsageLedger(folder, stateHome);
        }

        public string Folder => Path.Combine(_stateFolder, FolderName);

        /// <summary>
        /// The ledger's name of an account: 16 hex digits of a SHA-256 of the API host and the credential's identity (the API
        /// key, or the token itself). The hash names the account in file names and output and reveals nothing of the token.
        /// </summary>
        public static string AccountOf(string apiHost, string identity) =>
            AppStateKey.Hex(Encoding.UTF8.GetBytes("usage\n" + apiHost + "\n" + identity), 8);

        public string PathFor(string apiHost, string account, int year, int month) =>
            Path.Combine(Folder, string.Format(CultureInfo.InvariantCulture, "{0}-{1}-{2:0000}-{3:00}.json", AppStateKey.HostInName(apiHost), account, year, month));

        /// <summary>Adds <paramref name="counts"/> to the account's months (each count to its own month's file).</summary>
        /// <param name="quota">The account's monthly quota when known (kept in the file for Get-RunCloudApiUsage).</param>
        /// <param name="lockTimeout">Longest wait for another process adding to the same file.</param>
        public void Add(string apiHost, string account, string? keyId, long? quota, IEnumerable<UsageCount> counts, TimeSpan lockTimeout, DateTime nowUtc)
        {
            // Plain loops and lists over the months (usually one), no sorted or tuple-keyed collection: a flush runs at the end
            // of every command of a fresh process, where each generic shape over a number or a struct is compiled on first use.
            var monthKeys = new List<int>();
            var monthCounts = new List<List<UsageCount>>();
            foreach (UsageCount c in counts)
            {
                if (c.Calls == 0) continue;
                int monthKey = (c.Day.Year * 100) + c.Day.Month;
                int at = monthKeys.IndexOf(monthKey);
                if (at < 0)
                {
                    at = 0;
                    while (at < monthKeys.Count && monthKeys[at] < monthKey) at++; // oldest month first, as before
                    monthKeys.Insert(at, monthKey);
                    monthCounts.Insert(at, new List<UsageCount>());
                }

                monthCounts[at].Add(c);
            }

            for (int m = 0; m < monthKeys.Count; m++)
            {
                int year = monthKeys[m] / 100, monthOfYear = monthKeys[m] % 100;
                string path = PathFor(apiHost, account, year, monthOfYear);
                StateFolder.Ensure(_stateFolder, _stateHome);
                StateFolder.Ensure(Folder);
                using (FileStream held = Lock(path + ".lock", lockTimeout))
                {
                    UsageMonth data = ReadOrSetAside(path) ?? new UsageMonth
                    {
                        ApiHost = apiHost,
                        Account = account,
                        Month = string.Format(CultureInfo.InvariantCulture, "{0:0000}-{1:00}", year, monthOfYear),
                    };
                    data.KeyId = keyId ?? data.KeyId;
                    if (quota.HasValue) data.MonthlyQuota = quota;
                    data.UpdatedAt = nowUtc;
                    foreach (UsageCount c in monthCounts[m])
                    {
                        string day = c.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                        if (!data.Days.TryGetValue(day, out Dictionary<string, long>? apps)) data.Days[day] = apps = new Dictionary<string, long>(StringComparer.Ordinal);
                        apps.TryGetValue(c.App, out long n);
                        apps[c.App] = n + c.Calls;
                    }

                    Write(path, data);
                }
            }
        }

        /// <summary>One account's month, or null when nothing was counted for it.</summary>
        public UsageMonth? Read(string apiHost, string account, int year, int month)
        {
            if (!StateFolder.CheckExisting(_stateFolder, _stateHome) || !Directory.Exists(Folder)) return null;
            return Parse(PathFor(apiHost, account, year, month));
        }

        /// <summary>Every account's month files of <paramref name="year"/>-<paramref name="month"/> (or every month with null), oldest first.</summary>
        public IReadOnlyList<UsageMonth> ReadAll(int? year = null, int? month = null)
        {
            var found = new List<UsageMonth>();
            if (!StateFolder.CheckExisting(_stateFolder, _stateHome) || !Directory.Exists(Folder)) return found;
            string suffix = year.HasValue && month.HasValue ? string.Format(CultureInfo.InvariantCulture, "-{0:0000}-{1:00}.json", year, month) : ".json";
            List<string> files;
            try
            {
                files = Directory.EnumerateFiles(Folder, "*" + suffix).Where(f => !Path.GetFileName(f).Contains(".unreadable-")).OrderBy(f => f, StringComparer.Ordinal).ToList();
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new StateException($"Cannot list the usage ledger {Folder}: {ex.Message} Make it readable for this account.", ex, Folder);
            }

            foreach (string file in files)
            {
                UsageMonth? m = Parse(file);
                if (m != null) found.Add(m);
            }

            return found.OrderBy(m => m.Month, StringComparer.Ordinal).ThenBy(m => m.ApiHost, StringComparer.Ordinal).ThenBy(m => m.Account, StringComparer.Ordinal).ToList();
        }

        private static UsageMonth? Parse(string path)
        {
            string? text = ReadText(path);
            if (text == null) return null;
            try
            {
                UsageMonth? m = UsageMonth.FromJson(JsonFields.ParseObject(text));
                if (m == null || m.Version < 1) throw new JsonSerializationException("no version");
                if (m.Version > UsageMonth.CurrentVersion)
                {
                    throw new StateException($"The usage file {path} has format version {m.Version}, written by a newer RunCloud.PowerShell; this one reads up to version {UsageMonth.CurrentVersion}. Update the module.", null, path);
                }

                return m;
            }
            catch (JsonException ex)
            {
                throw new StateException($"The usage file {path} is not valid ({ex.Message}). The next count sets it aside (renamed *.unreadable-*) and starts the month's count again.", ex, path);
            }
        }

        private static string? ReadText(string path)
        {
            try
            {
                StateFolder.RefuseLink(path, "usage file");
                return File.Exists(path) ? File.ReadAllText(path, Encoding.UTF8) : null;
            }
            catch (FileNotFoundException)
            {
                return null;
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new StateException($"Cannot read the usage file {path}: {ex.Message} Make it readable for this account.", ex, path);
            }
        }

        /// <summary>Under the lock: the month as it is, or null when missing or unreadable (then set aside for a person to look at).</summary>
        private static UsageMonth? ReadOrSetAside(string path)
        {
            try
            {
                return Parse(path);
            }
            catch (StateException) when (File.Exists(path))
            {
                string aside = path.Substring(0, path.Length - ".json".Length) + ".unreadable-" + DateTime.UtcNow.Ticks.ToString(CultureInfo.InvariantCulture) + ".json";
                try { File.Move(path, aside); }
                catch (IOException) { }
                return null;
            }
        }

        private static void Write(string path, UsageMonth data)
        {
            StateFolder.RefuseLink(path, "usage file");
            try
            {
                StateFolder.ReplaceAtomically(path, path + "." + Guid.NewGuid().ToString("N") + ".tmp", new UTF8Encoding(false).GetBytes(JsonFields.Write(data.ToJson())));
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new StateException($"Cannot write the usage file {path}: {ex.Message} Make the state folder writable, or set {StateFolder.OverrideVariable} to one that is.", ex, path);
            }
        }

        private static FileStream Lock(string path, TimeSpan timeout)
        {
            Stopwatch watch = Stopwatch.StartNew();
            while (true)
            {
                StateFolder.RefuseLink(path, "usage lock file");
                try
                {
                    return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
                }
                catch (UnauthorizedAccessException ex)
                {
                    throw new StateException($"Cannot open the usage lock file {path}: {ex.Message} Make the state folder writable for this account.", ex, path);
                }
                catch (IOException) when (watch.Elapsed < timeout)
                {
                    Thread.Sleep(5);
                }
                catch (IOException ex)
                {
                    throw new StateException($"Another process held the usage lock file {path} for {timeout.TotalSeconds:0.#} s; these calls are counted by the next write.", ex, path);
                }
            }
        }
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Sources;
using RunCloud.PowerShell.Sync;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// A list of desired names as Sync-RunCloudDomain and Get-RunCloudNetworkStatus gather it from their parameters, the
    /// pipeline and a file: each name checked the way the sync checks it (a top-level domain that does not exist, a CSV
    /// row without its Domain, a file caught mid-write are invalid entries, not names), in the order given, with how the
    /// list is described in plans and results. One gatherer, so a status and a sync read a list alike.
    /// </summary>
    internal sealed class DesiredListInput
    {
        private readonly RunCloudCmdlet _cmdlet;
        private readonly List<string> _names = new List<string>();
        private readonly List<RunCloudSyncSkip> _problems = new List<RunCloudSyncSkip>();

        public DesiredListInput(RunCloudCmdlet cmdlet) => _cmdlet = cmdlet;

        /// <summary>Top-level domains accepted besides the public suffix list's (-AllowTld), normalised.</summary>
        public HashSet<string> AllowTld { get; set; } = new HashSet<string>(StringComparer.Ordinal);

        /// <summary>The valid names, in order.</summary>
        public IReadOnlyList<string> Names => _names;

        /// <summary>The entries refused while reading (each with its problem), in order.</summary>
        public IReadOnlyList<RunCloudSyncSkip> Problems => _problems;

        /// <summary>Names came from the command line or the pipeline (not only from a file).</summary>
        public bool Listed { get; private set; }

        /// <summary>The file read (resolved), if any.</summary>
        public string? File { get; private set; }

        /// <summary>How the list is described: "list", "file names.txt", "file names.txt and a list".</summary>
        public string Description => File == null ? "list" : Listed ? $"file {File} and a list" : $"file {File}";

        /// <summary>What the planner takes: the refused entries first (with their problems), then the names.</summary>
        public List<DesiredEntry> Entries() => _problems.Select(p => new DesiredEntry(p.Name, p.Reason)).Concat(_names.Select(n => new DesiredEntry(n))).ToList();

        /// <summary>Names given on the command line or piped in; one whose top-level domain does not exist is an invalid entry.</summary>
        public void Add(IEnumerable<string> names)
        {
            Listed = true;
            AddChecked(names);
        }

        /// <summary>An entry that is not a name at all (a piped object without a Domain, Name or url).</summary>
        public void AddProblem(string entry, string problem)
        {
            Listed = true;
            _problems.Add(new RunCloudSyncSkip(entry, problem));
        }

        /// <summary>
        /// A file of names (text, JSON or CSV; see DesiredDomainSource). A file that cannot be read or parsed stops the
        /// command (RunCloudInvalidInput), the message ending with <paramref name="nothingHappened"/>.
        /// </summary>
        public void ReadFile(string path, string nothingHappened)
        {
            string resolved;
            string content;
            try
            {
                resolved = _cmdlet.SessionState.Path.GetResolvedProviderPathFromPSPath(path, out _).FirstOrDefault()
                    ?? throw new FileNotFoundException($"{path} was not found.");
                content = System.IO.File.ReadAllText(resolved);
            }
            catch (Exception ex) when (ex is ItemNotFoundException || ex is IOException || ex is UnauthorizedAccessException || ex is ProviderNotFoundException || ex is System.Management.Automation.DriveNotFoundException)
            {
                _cmdlet.ThrowTerminatingError(ErrorRecords.Wrap(ex, ErrorIds.InvalidInput, ErrorCategory.ReadError, path, $"Cannot read the desired domains from {path}: {ex.Message}{nothingHappened}"));
                return;
            }

            var problems = new List<(string Entry, string Problem)>();
            try
            {
                AddChecked(DesiredDomainSource.ReadFile(resolved, content, problems));
            }
            catch (InvalidDataException ex)
            {
                _cmdlet.ThrowTerminatingError(ErrorRecords.Wrap(ex, ErrorIds.InvalidInput, ErrorCategory.InvalidData, path, ex.Message + nothingHappened));
            }

            foreach (var (entry, problem) in problems) _problems.Add(new RunCloudSyncSkip(entry, problem));
            File = resolved;
        }

        private void AddChecked(IEnumerable<string> names) => _names.AddRange(DesiredDomainSource.WithKnownTopLevelDomains(names, _problems, AllowTld));
    }
}

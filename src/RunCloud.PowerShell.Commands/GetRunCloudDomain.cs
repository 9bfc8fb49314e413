using System;
using System.Linq;
using System.Management.Automation;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Commands.Completion;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Sync;
using RunCloud.PowerShell.Session;
using RunCloud.PowerShell.Input;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>Gets the domain names of a web application: all (every page), by id, or by name with wildcards.</summary>
    [Cmdlet(VerbsCommon.Get, "RunCloudDomain", DefaultParameterSetName = ListSet, SupportsPaging = true, HelpUri = HelpUris.Base + "Get-RunCloudDomain.md")]
    [OutputType(typeof(RunCloudDomain))]
    public sealed class GetRunCloudDomainCommand : RunCloudWebAppCmdlet
    {
        private const string ListSet = "List";
        private const string IdSet = "Id";

        [Parameter(Mandatory = true, ParameterSetName = IdSet)]
        [ArgumentCompleter(typeof(DomainIdCompleter))]
        [ValidateRange(1, long.MaxValue)]
        public long Id { get; set; }

        [Parameter(Position = 0, ParameterSetName = ListSet)]
        [Alias("Domain", "DomainName", "HostName")]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(DomainNameCompleter))]
        [ValidateNotNullOrEmpty]
        public string[]? Name { get; set; }

        private protected override void ProcessWebApp(RunCloudConnection connection, RunCloudService service, long serverId, long webAppId)
        {
            try
            {
                if (ParameterSetName == IdSet)
                {
                    WriteObject(Run(ct => service.GetDomainAsync(serverId, webAppId, Id, ct)));
                    return;
                }

                // Names are normalised like everywhere else (IDN, case, trailing dot), on both sides of the comparison.
                System.Collections.Generic.IReadOnlyList<NamePattern>? patterns = null;
                try
                {
                    if (Name != null) patterns = NamePattern.ParseAll(Name, "-Name");
                }
                catch (ArgumentException ex)
                {
                    ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidDomainName, ex.Message, Name));
                }

                // RunCloud's search compares raw text: only a plain lower-case ASCII pattern can narrow the listing safely.
                bool plain = Name != null && Name.Length == 1 && string.Equals(Name[0].Trim(), patterns![0].Text, StringComparison.Ordinal)
                    && Name[0].All(c => c < 128 && !char.IsUpper(c));
                // As Get-ChildItem: an exact name (no wildcard) that matches nothing is an error; a wildcard, silence.
                var matched = new bool[patterns?.Count ?? 0];
                Func<RunCloudDomain, bool>? filter = patterns == null ? null : new Func<RunCloudDomain, bool>(d =>
                {
                    string normalized = SyncPlanner.Normalized(d);
                    bool any = false;
                    for (int i = 0; i < patterns.Count; i++)
                    {
                        if (patterns[i].IsMatch(normalized)) { matched[i] = true; any = true; }
                    }

                    return any;
                });
                if (PagedListing.Write(this, connection, first => service.DomainPages(serverId, webAppId, plain ? NameMatcher.SearchText(Name) : null, first), ItemMaps.Domains(serverId, webAppId),
                    filter, "Listing RunCloud domains") && patterns != null)
                {
                    for (int i = 0; i < patterns.Count; i++)
                    {
                        string missing = Name![i];
                        if (matched[i] || WildcardPattern.ContainsWildcardCharacters(missing)) continue;
                        WriteError(ErrorRecords.NotFound(ErrorIds.DomainNotFound, $"{missing} is not a domain of web app {webAppId} (server {serverId}). Get-RunCloudDomain lists the app's domains; a wildcard (e.g. -Name '*{missing}') returns nothing instead of an error.", missing));
                    }
                }
            }
            catch (RunCloudApiException ex)
            {
                WriteError(ErrorRecords.FromApi(ex, ParameterSetName == IdSet ? (object)Id : webAppId));
            }
        }
    }
}

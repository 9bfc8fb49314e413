using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Commands.Completion;
using RunCloud.PowerShell.Ssl;
using RunCloud.PowerShell.Sync;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Input;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Session;
using RunCloud.PowerShell.State;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// Removes domain names from a web application, by name (found across every page of the app's domains), by id,
    /// or from domain objects piped from Get-RunCloudDomain. A name that is not there is an error and sends no DELETE.
    /// A piped domain object binds as an object: removed by its id through its own connection, with no re-listing.
    /// The app's primary domain is refused unless -IncludePrimary; -Force only skips the confirmation. With -ResetSsl
    /// the removals of each app go through the apply engine after the whole pipeline: resolved against the live list
    /// under the app's lock, journalled first, checked against the SSL strategy, removed, and the certificate follows once.
    /// </summary>
    [Cmdlet(VerbsCommon.Remove, "RunCloudDomain", DefaultParameterSetName = InputObjectSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, HelpUri = HelpUris.Base + "Remove-RunCloudDomain.md")]
    [OutputType(typeof(void))]
    public sealed class RemoveRunCloudDomainCommand : RunCloudDomainCmdlet
    {
        private readonly Dictionary<(long, long), List<RunCloudDomain>> _listings = new Dictionary<(long, long), List<RunCloudDomain>>();

        /// <summary>Names to remove; wildcards select every matching domain (each asked for, and each its own -WhatIf line).</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = NameSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("Domain", "DomainName", "HostName")]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(DomainNameCompleter))]
        [AllowEmptyString]
        public string[] Name { get; set; } = Array.Empty<string>();

        /// <summary>Removes without asking. Lifts no safety rule (see -IncludePrimary).</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>Allows removing the web app's primary domain (refused otherwise, with or without -Force).</summary>
        [Parameter]
        public SwitchParameter IncludePrimary { get; set; }

        /// <summary>After all names are processed, redeploy the web app's SSL certificate once if anything was removed.</summary>
        [Parameter]
        public SwitchParameter ResetSsl { get; set; }

        private const string Command = "Remove-RunCloudDomain";

        /// <summary>Request certificates without checking that the names point at the server (split-horizon DNS, proxies). Also RUNCLOUD_SKIP_DNS_CHECK=1.</summary>
        [Parameter]
        public SwitchParameter SkipDnsCheck { get; set; }

        /// <summary>DNS servers (address or address:port) to ask whether the names point at the server, instead of the system's resolver.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? DnsServer { get; set; }

        /// <summary>Order a certificate even past Let's Encrypt's 5 duplicates (same names) in 7 days.</summary>
        [Parameter]
        public SwitchParameter AllowDuplicateCertificate { get; set; }

        /// <summary>-ResetSsl: each web app's removals, gathered over the whole pipeline; one apply per app at the end.</summary>
        private readonly AppBatch<DomainSelector> _batch = new AppBatch<DomainSelector>();

        /// <summary>Without -ResetSsl: each app's SSL mode (advanced mode releases a removed domain's own certificate), read once.</summary>
        private readonly Dictionary<(long, long), bool> _advanced = new Dictionary<(long, long), bool>();

        /// <summary>A piped domain object is removed through its own connection (the default one is not needed, nor consulted).</summary>
        protected override void ProcessRecord()
        {
            if (ParameterSetName == InputObjectSet)
            {
                // Every object first (a mismatched -Connection stops the command before any request), then the removals.
                var bound = InputObject.Select(d => (Domain: d, Connection: ResolveConnectionFor(d, d.Name))).ToList();
                foreach (var (domain, own) in bound)
                {
                    if (domain.Id <= 0 || domain.ServerId <= 0 || domain.WebAppId <= 0)
                    {
                        WriteError(ErrorRecords.Invalid(ErrorIds.InvalidInput, $"The domain object '{domain.Name}' has no id, server id or web app id; nothing was removed. Pipe objects from Get-RunCloudDomain, or pass -Name.", domain));
                        continue;
                    }

                    if (ResetSsl) _batch.For(own, domain.ServerId, domain.WebAppId).Add(DomainSelector.ByObject(domain));
                    else Remove(ServiceFor(own), domain);
                }

                return;
            }

            base.ProcessRecord();
        }

        private protected override void ProcessRecordWithConnection(RunCloudConnection connection, RunCloudService service)
        {
            long serverId = ResolveServerId(connection, ServerId);
            long webAppId = ResolveWebAppId(connection, WebAppId, serverId);
            if (ParameterSetName == IdSet)
            {
                foreach (long id in Id)
                {
                    if (ResetSsl)
                    {
                        _batch.For(connection, serverId, webAppId).Add(DomainSelector.ById(id));
                        continue;
                    }

                    RunCloudDomain? domain = DomainById(service, serverId, webAppId, id, "removed");
                    if (domain != null) Remove(service, domain);
                }

                return;
            }

            foreach (string raw in Name)
            {
                bool wildcard = raw != null && WildcardPattern.ContainsWildcardCharacters(raw);
                string name = raw ?? string.Empty;
                if (!wildcard && !DomainName.TryNormalize(raw, out name, out string problem))
                {
                    WriteError(ErrorRecords.Invalid(ErrorIds.InvalidDomainName, problem, raw));
                    continue;
                }

                if (ResetSsl)
                {
                    // Resolved against the app's live list under its lock, by the apply engine.
                    _batch.For(connection, serverId, webAppId).Add(wildcard ? DomainSelector.ByPattern(raw!) : DomainSelector.ByName(name));
                    continue;
                }

                List<RunCloudDomain>? all = Listing(service, serverId, webAppId);
                if (all == null) return;
                if (wildcard)
                {
                    foreach (RunCloudDomain match in Matching(all, raw!)) Remove(service, match);
                    continue;
                }

                RunCloudDomain? domain = all.FirstOrDefault(d => d.Problem == null && string.Equals(SyncPlanner.Normalized(d), name, StringComparison.Ordinal));
                if (domain == null)
                {
                    WriteError(ErrorRecords.NotFound(ErrorIds.DomainNotFound, $"{name} is not a domain of web app {webAppId} (server {serverId}); nothing was removed. Get-RunCloudDomain lists the app's domains.", name));
                    continue;
                }

                Remove(service, domain);
            }
        }

        /// <summary>
        /// The domains a wildcard selects, as Remove-Item does: a domain whose name IS the pattern (RunCloud's wildcard
        /// domains are named like *.example.com) is taken literally, alone; otherwise every match (none is silence).
        /// </summary>
        private static List<RunCloudDomain> Matching(List<RunCloudDomain> all, string pattern)
        {
            string literal = pattern.Trim().TrimEnd('.');
            List<RunCloudDomain> exact = all.Where(d => string.Equals(d.Name, literal, StringComparison.OrdinalIgnoreCase)).ToList();
            if (exact.Count > 0) return exact;
            var wildcard = new WildcardPattern(literal, WildcardOptions.IgnoreCase);
            return all.Where(d => wildcard.IsMatch(d.Name)).ToList(); // a copy: removals change the listing
        }

        /// <summary>One complete listing per web app, read on first need and kept current as domains are removed.</summary>
        private List<RunCloudDomain>? Listing(RunCloudService service, long serverId, long webAppId)
        {
            if (_listings.TryGetValue((serverId, webAppId), out List<RunCloudDomain>? cached)) return cached;
            try
            {
                List<RunCloudDomain> all = Run(ct => service.ListDomainsAsync(serverId, webAppId, ct));
                _listings[(serverId, webAppId)] = all;
                return all;
            }
            catch (RunCloudApiException ex)
            {
                ThrowApiError(ex, webAppId);
                return null;
            }
        }

        /// <summary>Without -ResetSsl: one removal now, as RunCloud answers it (gone already is a warning, not a removal).</summary>
        private void Remove(RunCloudService service, RunCloudDomain domain)
        {
            string app = $"web app {domain.WebAppId} (server {domain.ServerId})";
            if (domain.IsPrimary && !IncludePrimary)
            {
                if (IsWhatIf())
                {
                    // A plan, not a failure: -WhatIf shows the refusal as one of its lines.
                    string line = $"Not removing {domain.Name} (id {domain.Id}) from {app}: it is the primary domain. Make another domain primary first, or pass -IncludePrimary.";
                    ShouldProcess(line, line, "Remove domain");
                    return;
                }

                WriteError(ErrorRecords.Failed(ErrorIds.PrimaryDomainProtected,
                    $"{domain.Name} is the primary domain of web app {domain.WebAppId}; it was not removed. Make another domain primary first, or pass -IncludePrimary (-Force only skips the prompt).",
                    ErrorCategory.PermissionDenied, domain));
                return;
            }

            if (!ShouldProcessOrForce(Force, $"{domain.Name} (id {domain.Id}) on {app}", "Remove domain")) return;
            try
            {
                if (!_advanced.TryGetValue((domain.ServerId, domain.WebAppId), out bool advanced))
                {
                    advanced = Run(ct => DomainChanges.IsAdvancedAsync(service, domain.ServerId, domain.WebAppId, ct));
                    _advanced[(domain.ServerId, domain.WebAppId)] = advanced;
                }

                if (Run(ct => DomainChanges.RemoveAsync(service, domain, advanced, null, service.Log, ct)))
                {
                    WriteVerbose($"RunCloud: removed {domain.Name} from web app {domain.WebAppId}.");
                    NoteChangedOutsideSync(domain.Connection, domain.ServerId, domain.WebAppId);
                }
                else
                {
                    WriteWarning($"{domain.Name} was already gone from web app {domain.WebAppId}.");
                }

                if (_listings.TryGetValue((domain.ServerId, domain.WebAppId), out List<RunCloudDomain>? listing))
                {
                    listing.RemoveAll(d => d.Id == domain.Id);
                }
            }
            catch (RunCloudApiException ex)
            {
                WriteError(ErrorRecords.FromApi(ex, domain));
            }
        }

        /// <summary>-ResetSsl: per web app, the removals through the apply engine (journal first, removals, then the SSL strategy with all its checks).</summary>
        protected override void EndProcessing()
        {
            if (!ResetSsl) return;
            SslOptions ssl = SslParameters.BuildOrStop(this, SkipDnsCheck, DnsServer, AllowDuplicateCertificate);

            bool whatIf = IsWhatIf();
            AppApply.RunBatch(this, _batch, selectors => AppRequest.ForRemoval(selectors, new AppRunOptions
            {
                Command = Command, Ssl = ssl.Clone(), WhatIf = whatIf, IncludePrimary = IncludePrimary,
            }), new CmdletApplyHost(this, Confirm), whatIf);
        }

        /// <summary>ShouldProcess for one step; the primary domain under -WhatIf is a what-if line saying why it is kept.</summary>
        private bool Confirm(ApplyStep step)
        {
            if (step.RefusedBecause != null)
            {
                if (IsWhatIf()) ShouldProcess(step.RefusedBecause, step.RefusedBecause, step.Action);
                return false;
            }

            return ShouldProcessOrForce(Force, step.Target, step.Action) || IsWhatIf();
        }
    }
}

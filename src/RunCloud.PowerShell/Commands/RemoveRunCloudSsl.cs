using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Commands.Completion;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Session;
using RunCloud.PowerShell.Ssl;
using RunCloud.PowerShell.State;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// Uninstalls a certificate on its own: the web app's (basic SSL, DELETE .../ssl/{id}) or one domain's (advanced SSL,
    /// DELETE .../domains/{d}/ssl/{ssl}), by ids, by domain name, or piped from Get-RunCloudSsl, Get-RunCloudWebApp or
    /// Get-RunCloudDomain. Asks first (ConfirmImpact High; -Force skips the prompt); -WhatIf sends GETs only. The app's
    /// journal is told, so no later run (Sync-RunCloudDomain, -ResetSsl) orders the removed certificate again. A
    /// certificate that another client removed a moment earlier is not an error.
    /// </summary>
    [Cmdlet(VerbsCommon.Remove, "RunCloudSsl", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, HelpUri = HelpUris.Base + "Remove-RunCloudSsl.md")]
    [OutputType(typeof(void))]
    public sealed class RemoveRunCloudSslCommand : RunCloudWebAppCmdlet
    {
        private const string Command = "Remove-RunCloudSsl";

        /// <summary>Advanced SSL mode: only these domains' certificates (wildcards allowed); default every domain's. An exact name that is not there is an error.</summary>
        [Parameter(Position = 0)]
        [Alias("Domain")]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(DomainNameCompleter))]
        [ValidateNotNullOrEmpty]
        public string[]? Name { get; set; }

        /// <summary>Removes without asking.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        private protected override void ProcessWebApp(RunCloudConnection connection, RunCloudService service, long serverId, long webAppId)
        {
            string app = $"web app {webAppId} on server {serverId}";
            try
            {
                switch (PipelineObject)
                {
                    case RunCloudSsl piped when Name == null:
                        if (!piped.Installed || !piped.Id.HasValue)
                        {
                            WriteVerbose($"RunCloud: {(piped.DomainName ?? app)} has no certificate; nothing to remove.");
                            return;
                        }

                        if (piped.DomainId.HasValue)
                        {
                            var domain = new RunCloudDomain { Id = piped.DomainId.Value, Name = piped.DomainName ?? string.Empty, ServerId = serverId, WebAppId = webAppId };
                            RemoveDomainCertificate(connection, service, domain, piped.Id.Value);
                        }
                        else
                        {
                            RemoveAppCertificate(connection, service, serverId, webAppId, piped.Id.Value);
                        }

                        return;
                    case RunCloudDomain pipedDomain when Name == null:
                        RemoveFromDomain(connection, service, pipedDomain, explicitName: true);
                        return;
                }

                RunCloudSsl ssl = Run(ct => service.GetSslAsync(serverId, webAppId, ct));
                if (ssl.Installed && ssl.Id.HasValue)
                {
                    if (Name != null)
                    {
                        WriteError(Invalid(ErrorIds.InvalidInput,
                            $"The {app} uses basic SSL: one certificate ({ssl.Id}) for all its names, none per domain, so -Name does not apply. Nothing was removed. "
                            + "Leave -Name out to remove the app's certificate.", Name));
                        return;
                    }

                    RemoveAppCertificate(connection, service, serverId, webAppId, ssl.Id.Value);
                    return;
                }

                if (!Run(ct => service.GetSslModeAsync(serverId, webAppId, ct)).Advanced)
                {
                    NothingInstalled(connection, serverId, webAppId, app);
                    return;
                }

                var matcher = new NameMatcher(Name);
                Func<RunCloudDomain, bool>? filter = matcher.For<RunCloudDomain>(d => d.Name);
                foreach (RunCloudDomain domain in Run(ct => service.ListDomainsAsync(serverId, webAppId, ct)))
                {
                    if (domain.Problem != null || (filter != null && !filter(domain))) continue;
                    RemoveFromDomain(connection, service, domain, explicitName: Name != null && !Name.All(WildcardPattern.ContainsWildcardCharacters));
                }

                foreach (string missing in matcher.Missing)
                {
                    WriteNotFound(ErrorIds.DomainNotFound, $"{missing} is not a domain of web app {webAppId} (server {serverId}); nothing was removed. Get-RunCloudDomain lists the app's domains.", missing);
                }
            }
            catch (RunCloudApiException ex)
            {
                WriteApiError(ex, app);
            }
            catch (StateException ex)
            {
                WriteError(new ErrorRecord(ex, ex.ErrorId, ErrorCategory.ResourceUnavailable, app) { ErrorDetails = new ErrorDetails(ex.Message) });
            }
        }

        /// <summary>A domain's own certificate (advanced mode), read first; a domain without one is an error only when named exactly.</summary>
        private void RemoveFromDomain(RunCloudConnection connection, RunCloudService service, RunCloudDomain domain, bool explicitName)
        {
            try
            {
                RunCloudSsl current = Run(ct => service.GetDomainSslAsync(domain, ct));
                if (!current.Installed || !current.Id.HasValue)
                {
                    if (explicitName)
                    {
                        WriteError(new ErrorRecord(new ItemNotFoundException($"{domain.Name} has no certificate of its own; nothing was removed."),
                            ErrorIds.SslNotInstalled, ErrorCategory.ObjectNotFound, domain));
                    }
                    else
                    {
                        WriteVerbose($"RunCloud: {domain.Name} has no certificate of its own; nothing to remove.");
                    }

                    return;
                }

                RemoveDomainCertificate(connection, service, domain, current.Id.Value);
            }
            catch (RunCloudApiException ex)
            {
                WriteApiError(ex, domain);
            }
        }

        private void RemoveDomainCertificate(RunCloudConnection connection, RunCloudService service, RunCloudDomain domain, long sslId)
        {
            string what = $"certificate {sslId} of {domain.Name} (domain {domain.Id}, web app {domain.WebAppId} on server {domain.ServerId})";
            if (!ShouldProcessOrForce(Force, what, "Uninstall the domain's SSL certificate")) return;
            try
            {
                AppStateKey key = StateKeys.For(connection, domain.ServerId, domain.WebAppId);
                Lock(connection, key);
                bool removed = Run(ct => service.UninstallDomainSslAsync(domain, sslId, ct));
                Forget(key, domain);
                if (removed) WriteVerbose($"RunCloud: uninstalled the {what}.");
                else WriteWarning($"The {what} was already gone.");
            }
            catch (RunCloudApiException ex)
            {
                WriteApiError(ex, domain);
            }
            catch (StateException ex)
            {
                WriteError(new ErrorRecord(ex, ex.ErrorId, ErrorCategory.ResourceUnavailable, domain) { ErrorDetails = new ErrorDetails(ex.Message) });
            }
        }

        private void RemoveAppCertificate(RunCloudConnection connection, RunCloudService service, long serverId, long webAppId, long sslId)
        {
            string what = $"SSL certificate {sslId} of web app {webAppId} on server {serverId}";
            if (!ShouldProcessOrForce(Force, what, "Uninstall the web app's SSL certificate (its names are served without one until a new one is installed)")) return;
            try
            {
                AppStateKey key = StateKeys.For(connection, serverId, webAppId);
                Lock(connection, key);
                bool removed = Run(ct => service.UninstallSslAsync(serverId, webAppId, sslId, ct));
                Forget(key, null);
                if (removed) WriteVerbose($"RunCloud: uninstalled the {what}.");
                else WriteWarning($"The {what} was already gone.");
            }
            catch (RunCloudApiException ex)
            {
                WriteApiError(ex, $"web app {webAppId} on server {serverId}");
            }
            catch (StateException ex)
            {
                WriteError(new ErrorRecord(ex, ex.ErrorId, ErrorCategory.ResourceUnavailable, webAppId) { ErrorDetails = new ErrorDetails(ex.Message) });
            }
        }

        /// <summary>
        /// Takes the app's lock (a Sync or Reset on it in another process is waited for, then refused) before the journal
        /// is touched; work a previous run left owed on it is not finished here, only its SSL part forgotten.
        /// </summary>
        private void Lock(RunCloudConnection connection, AppStateKey key) => AppRuns(Command).Enter(key, connection.BaseUri.AbsoluteUri);

        /// <summary>
        /// The journal learns the certificate is gone on purpose: nothing owed for it (a redeploy, a reinstall, the
        /// domain's order) and no name waiting to be covered by it, so no later run orders it again.
        /// </summary>
        private void Forget(AppStateKey key, RunCloudDomain? domain)
        {
            AppJournal journal = AppRuns(Command).OpenJournal(key);
            if (domain == null)
            {
                journal.SslRedeployPending = false;
                journal.SslReason = null;
                journal.SslDomains.Clear();
                journal.SslReinstall = null;
                SslStrategy.ForgetCertificate(journal, null);
            }
            else
            {
                journal.SslDomains.RemoveAll(j => j.Id == domain.Id);
                if (journal.SslDomains.Count == 0 && journal.SslRedeployPending && journal.SslReason != null && journal.SslReason.IndexOf(domain.Name, StringComparison.OrdinalIgnoreCase) >= 0)
                {
                    // An advanced-mode redeploy owed only for this domain is owed no more.
                    journal.SslRedeployPending = false;
                    journal.SslReason = null;
                }

                SslStrategy.ForgetCertificate(journal, SslNames.HostNames(domain).ToList());
            }

            journal.WrittenBy = Command;
            AppRuns(Command).Save(key);
        }

        /// <summary>
        /// The app has no certificate. An error (nothing to remove), unless the journal still owed a reinstall of one
        /// (a previous Reset-RunCloudSsl -Reinstall left it without): that is forgotten, as this command asks for none.
        /// </summary>
        private void NothingInstalled(RunCloudConnection connection, long serverId, long webAppId, string app)
        {
            AppStateKey key = StateKeys.For(connection, serverId, webAppId);
            if (!IsWhatIf())
            {
                Lock(connection, key);
                AppJournal? journal = AppRuns(Command).Journal(key);
                if (journal?.SslReinstall != null && ShouldProcessOrForce(Force, app, "Forget the certificate reinstall a previous run left owed (the app has none)"))
                {
                    Forget(key, null);
                    WriteWarning($"The {app} has no SSL certificate; the reinstall a previous run left owed is forgotten, so no later run installs one.");
                    return;
                }
            }

            WriteError(new ErrorRecord(new ItemNotFoundException($"The {app} has no SSL certificate; nothing was removed."), ErrorIds.SslNotInstalled, ErrorCategory.ObjectNotFound, app));
        }
    }
}

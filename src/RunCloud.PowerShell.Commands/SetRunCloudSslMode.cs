using System;
using System.Management.Automation;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Session;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// Switches a web app between basic SSL (one certificate for all its names, at most 100) and advanced SSL (one
    /// certificate per domain): POST .../ssl/advanced. RunCloud switches to advanced only once the app-wide certificate
    /// is uninstalled; -Force does that first (the names then have no certificate until Reset-RunCloudSsl or the next
    /// sync issues theirs).
    /// </summary>
    [Cmdlet(VerbsCommon.Set, "RunCloudSslMode", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High,
        HelpUri = HelpUris.Base + "Set-RunCloudSslMode.md")]
    [OutputType(typeof(RunCloudSslMode))]
    public sealed class SetRunCloudSslModeCommand : RunCloudWebAppCmdlet
    {
        public const string CertificateInTheWayErrorId = "RunCloudSslModeCertificateInstalled";

        [Parameter(Mandatory = true, Position = 0)]
        [ValidateSet("Basic", "Advanced", IgnoreCase = true)]
        public string Mode { get; set; } = "Basic";

        /// <summary>Advanced mode: let RunCloud issue certificates for new domains by itself.</summary>
        [Parameter]
        public SwitchParameter AutoSsl { get; set; }

        /// <summary>
        /// Uninstall the app-wide certificate first when switching to advanced: its names are without a certificate
        /// until per-domain ones are issued. The safety rule has its own switch; -Force only skips the prompt.
        /// </summary>
        [Parameter]
        public SwitchParameter UninstallAppCertificate { get; set; }

        /// <summary>Do not ask for confirmation. Lifts no safety rule (see -UninstallAppCertificate).</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        private protected override void ProcessWebApp(RunCloudConnection connection, RunCloudService service, long serverId, long webAppId)
        {
            string target = $"web app {webAppId} on server {serverId}";
            bool advanced = string.Equals(Mode, "Advanced", StringComparison.OrdinalIgnoreCase);
            try
            {
                var (isAdvanced, isAuto) = Run(ct => service.GetSslModeAsync(serverId, webAppId, ct));
                var result = new RunCloudSslMode { ServerId = serverId, WebAppId = webAppId, Mode = isAdvanced ? "Advanced" : "Basic", AutoSsl = isAuto };
                if (isAdvanced == advanced && (!advanced || isAuto == AutoSsl.IsPresent))
                {
                    WriteVerbose($"RunCloud: the {target} already uses {result.Mode} SSL; nothing was changed.");
                    if (PassThru) WriteObject(result);
                    return;
                }

                if (advanced && !isAdvanced)
                {
                    RunCloudSsl ssl = Run(ct => service.GetSslAsync(serverId, webAppId, ct));
                    if (ssl.Installed && ssl.Id.HasValue)
                    {
                        if (!UninstallAppCertificate && !IsWhatIf())
                        {
                            WriteError(ErrorRecords.Failed(CertificateInTheWayErrorId,
                                $"The {target} has an app-wide certificate ({ssl.Id}); RunCloud switches to advanced SSL only without one. Nothing was changed. "
                                + "Pass -UninstallAppCertificate to uninstall it first (-Force only skips the prompt); its names are then without a certificate until Reset-RunCloudSsl (or the next sync) issues one per domain.",
                                ErrorCategory.ResourceExists, target));
                            return;
                        }

                        if (!ShouldProcessOrForce(Force, target, $"Uninstall the app-wide SSL certificate {ssl.Id}, then switch to advanced SSL (one certificate per domain)")) return;
                        Run(ct => service.UninstallSslAsync(serverId, webAppId, ssl.Id.Value, ct));
                    }
                    else if (!ShouldProcessOrForce(Force, target, "Switch to advanced SSL (one certificate per domain)")) return;
                }
                else if (!ShouldProcessOrForce(Force, target, $"Switch to {(advanced ? "advanced" : "basic")} SSL")) return;

                Run(ct => service.SetSslModeAsync(serverId, webAppId, advanced, advanced && AutoSsl, ct));
                result.Mode = advanced ? "Advanced" : "Basic";
                result.AutoSsl = advanced && AutoSsl;
                result.Changed = true;
                WriteVerbose($"RunCloud: the {target} now uses {result.Mode} SSL.");
                if (PassThru) WriteObject(result);
            }
            catch (RunCloudApiException ex)
            {
                WriteError(ErrorRecords.FromApi(ex, target));
            }
        }
    }
}

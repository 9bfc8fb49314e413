using System.Collections.Generic;
using System.Management.Automation;

namespace RunCloud.Emulator.Commands
{
    /// <summary>Stops the given emulators, or every emulator started in this session when none is given.</summary>
    [Cmdlet(VerbsLifecycle.Stop, "RunCloudEmulator", SupportsShouldProcess = true, HelpUri = "https://github.com/runcloud-powershell/RunCloud.PowerShell/blob/main/docs/help/" + "Stop-RunCloudEmulator.md")]
    [OutputType(typeof(void))]
    public sealed class StopRunCloudEmulatorCommand : PSCmdlet
    {
        private bool _any;

        [Parameter(ValueFromPipeline = true, Position = 0)]
        public RunCloudEmulator[]? Emulator { get; set; }

        protected override void ProcessRecord()
        {
            if (Emulator == null) return;
            _any = true;
            foreach (var e in Emulator) StopOne(e);
        }

        protected override void EndProcessing()
        {
            if (_any) return;
            foreach (var e in new List<RunCloudEmulator>(EmulatorSession.All)) StopOne(e);
        }

        private void StopOne(RunCloudEmulator? e)
        {
            if (e == null) return;
            if (!ShouldProcess(e.BaseUri.ToString(), "Stop RunCloud API emulator")) return;
            e.Stop();
            EmulatorSession.Remove(e);
            WriteVerbose($"Stopped the RunCloud emulator at {e.BaseUri}.");
        }
    }
}

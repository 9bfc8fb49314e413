using System.Management.Automation;

namespace RunCloud.Emulator.Commands
{
    /// <summary>Removes every pending fault rule of an emulator.</summary>
    [Cmdlet(VerbsCommon.Clear, "RunCloudEmulatorFault", SupportsShouldProcess = true, HelpUri = "https://github.com/runcloud-powershell/RunCloud.PowerShell/blob/main/docs/help/" + "Clear-RunCloudEmulatorFault.md")]
    [OutputType(typeof(void))]
    public sealed class ClearRunCloudEmulatorFaultCommand : EmulatorCmdletBase
    {
        protected override void ProcessRecord()
        {
            var e = ResolveEmulator();
            if (e == null) return;
            if (!ShouldProcess(e.BaseUri.ToString(), "Clear RunCloud emulator faults")) return;
            e.Faults.Clear();
        }
    }
}

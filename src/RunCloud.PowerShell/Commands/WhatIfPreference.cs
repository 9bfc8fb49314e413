using System.Management.Automation;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>Whether a command runs under -WhatIf, given on its command line or inherited through $WhatIfPreference.</summary>
    internal static class WhatIfPreference
    {
        public static bool IsOn(PSCmdlet cmdlet)
        {
            if (cmdlet.MyInvocation.BoundParameters.TryGetValue("WhatIf", out object? w)) return w is SwitchParameter ws && ws.IsPresent;
            object? pref = cmdlet.SessionState.PSVariable.GetValue("WhatIfPreference");
            return pref is SwitchParameter sp ? sp.IsPresent : pref is bool b && b;
        }
    }
}

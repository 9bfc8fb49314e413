using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace RunCloud.PowerShell.Ssl
{
    internal enum RedeployOutcome { Redeployed, NoSsl, PerDomain }
}

using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace RunCloud.PowerShell.Api
{
    internal enum RedeployOutcome { Redeployed, NoSsl, PerDomain }
}

# 405-F1: module level, aliases, annotated assignment, inside if __name__ block
import aiohttp as ah
from aiohttp import TCPConnector as TC

s = ah.ClientSession()  # PBK405
c: TC = TC(limit=10)  # PBK405

if __name__ == "__main__":
    s2 = ah.ClientSession()  # PBK405

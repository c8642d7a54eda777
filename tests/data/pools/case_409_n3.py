# 409-N3: rebound name / unknown object with a close() method
class Thing:
    async def close(self) -> None:
        return None


async def f(x) -> None:
    t = Thing()
    t.close()  # not a known async resource (PBK409 silent; a generic un-awaited check is out of scope)
    x.close()
